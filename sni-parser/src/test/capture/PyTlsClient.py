#!/usr/bin/env python3
"""Python ssl client: sends its ClientHello to 127.0.0.1:PORT with SNI NAME and ALPN h2,http/1.1."""
import socket, ssl, sys
port, name = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["h2", "http/1.1"])
with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
    try:
        with ctx.wrap_socket(s, server_hostname=name):
            pass
    except (ssl.SSLError, OSError):
        pass
