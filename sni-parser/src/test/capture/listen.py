#!/usr/bin/env python3
"""Loopback capture listener: accepts ONE connection on 127.0.0.1:PORT, records every byte the
client sends until it has been idle for IDLE seconds (or closes), writes the bytes as hex to OUT
with a '#' comment header, then closes. Usage: listen.py PORT OUT 'comment' [IDLE]"""
import socket, sys, time

port, out, comment = int(sys.argv[1]), sys.argv[2], sys.argv[3]
idle = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
open(out + ".ready", "w").close()
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(idle)
data = b""
while True:
    try:
        chunk = conn.recv(65536)
    except socket.timeout:
        break
    if not chunk:
        break
    data += chunk
conn.close()
srv.close()
import os
os.remove(out + ".ready")
with open(out, "w") as f:
    for line in comment.splitlines():
        f.write("# " + line + "\n")
    f.write("# %d bytes, captured %s\n" % (len(data), time.strftime("%Y-%m-%d", time.gmtime())))
    for i in range(0, len(data), 32):
        f.write(data[i:i + 32].hex() + "\n")
