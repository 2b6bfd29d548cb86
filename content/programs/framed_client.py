import socket
import struct

HOST = "127.0.0.1"
PORT = 65432
messages = ["hello", "café", ""]


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"the peer closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def send_message(sock, payload):
    sock.sendall(struct.pack("!I", len(payload)) + payload)


def recv_message(sock):
    (length,) = struct.unpack("!I", recv_exactly(sock, 4))
    return recv_exactly(sock, length)


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect((HOST, PORT))
    for text in messages:
        send_message(sock, text.encode("utf-8"))
    for text in messages:
        reply = recv_message(sock)
        print(f"sent {text!r}, got back {len(reply)} bytes: {reply.decode('utf-8')!r}")
