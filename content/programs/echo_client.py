import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 65432

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as c:
    c.connect((HOST, PORT))
    print("connected from", c.getsockname())
    c.sendall(b"hello, socket")
    reply = c.recv(1024)

print("received", reply)
