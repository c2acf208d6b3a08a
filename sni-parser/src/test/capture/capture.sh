#!/usr/bin/env bash
# Re-captures every real first-flight fixture on this machine (loopback only). Each client talks to
# listen.py, which records what arrives until the client has been idle for a second, then closes.
# Usage: sni-parser/src/test/capture/capture.sh [OUT_DIR]   (default: ../resources/fixtures)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../resources/fixtures}
mkdir -p "$out"
m2=${HOME}/.m2/repository/io/netty
nv=4.2.18.Final
netty_cp=$(printf '%s:' "$m2"/netty-{common,buffer,transport,resolver,codec-base,handler,transport-native-unix-common}/$nv/*-$nv.jar)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# capture NAME 'COMMENT' CLIENT-COMMAND... ; {port} in the command is replaced by the listener's port
capture() {
  local name=$1 comment=$2; shift 2
  local port; port=$(free_port)
  python3 "$here/listen.py" "$port" "$out/$name.hex" "$comment" &
  local listener=$!
  for _ in $(seq 100); do [[ -f "$out/$name.hex.ready" ]] && break; sleep 0.1; done
  local cmd=("${@//\{port\}/$port}")
  timeout 20 "${cmd[@]}" </dev/null >/dev/null 2>&1 || true
  wait "$listener"
  echo "captured $name: $(grep -v '^#' "$out/$name.hex" | tr -d '\n' | wc -c | awk '{print $1/2}') bytes" >&2
}

osc="openssl s_client -connect 127.0.0.1:{port}"
capture openssl-tls12 "openssl s_client -tls1_2 -servername openssl12.example.test ($(openssl version))" \
  $osc -tls1_2 -servername openssl12.example.test
capture openssl-tls13 "openssl s_client -tls1_3 -servername openssl13.example.test ($(openssl version))" \
  $osc -tls1_3 -servername openssl13.example.test
capture openssl-alpn "openssl s_client -alpn h2,http/1.1 -servername alpn.example.test ($(openssl version))" \
  $osc -alpn h2,http/1.1 -servername alpn.example.test
# -max_send_frag has a floor of 512 bytes, so the hello is made longer than that with a long ALPN
# list: OpenSSL then sends the ClientHello in two handshake records.
long_alpn="h2,http/1.1,$(python3 -c 'print(",".join("proto-%02d-%s" % (i, "x" * 20) for i in range(16)))')"
capture openssl-maxfrag "openssl s_client -max_send_frag 512 -alpn h2,http/1.1,proto-00-x... (18 ids) -servername fragmented.example.test ($(openssl version))" \
  $osc -max_send_frag 512 -alpn "$long_alpn" -servername fragmented.example.test
capture curl-https "curl -k --resolve curl.example.test:{port}:127.0.0.1 https://curl.example.test:{port}/ ($(curl --version | head -n1))" \
  curl -sk --max-time 5 --resolve "curl.example.test:{port}:127.0.0.1" "https://curl.example.test:{port}/"
capture jdk-sslsocket "JDK SSLSocket, SNI jdk.example.test, ALPN h2,http/1.1 ($(java -version 2>&1 | head -n1))" \
  java "$here/JdkTlsClient.java" {port} jdk.example.test
capture python-ssl "Python ssl.SSLContext, SNI python.example.test, ALPN h2,http/1.1 ($(python3 --version))" \
  python3 "$here/PyTlsClient.py" {port} python.example.test
capture netty-jdk "Netty $nv SslContextBuilder.forClient(JDK provider), SNI netty.example.test, ALPN h2,http/1.1" \
  java -cp "$netty_cp" "$here/NettyTlsClient.java" {port} netty.example.test
capture curl-http1 "curl --http1.1 http://http1.example.test:{port}/index.html ($(curl --version | head -n1))" \
  curl -s --max-time 5 --http1.1 --resolve "http1.example.test:{port}:127.0.0.1" "http://http1.example.test:{port}/index.html"
capture curl-h2c "curl --http2-prior-knowledge http://h2c.example.test:{port}/ ($(curl --version | head -n1))" \
  curl -s --max-time 5 --http2-prior-knowledge --resolve "h2c.example.test:{port}:127.0.0.1" "http://h2c.example.test:{port}/"
