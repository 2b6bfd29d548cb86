import socket
import struct

HOST = "127.0.0.1"
PORT = 65432
MAX_LENGTH = 65536


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"the peer closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def recv_message(sock):
    header = recv_exactly(sock, 4)
    (length,) = struct.unpack("!I", header)
    if length > MAX_LENGTH:
        raise ValueError(f"a {length}-byte message is longer than {MAX_LENGTH}")
    return recv_exactly(sock, length)


def send_message(sock, payload):
    sock.sendall(struct.pack("!I", len(payload)) + payload)


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, PORT))
    s.listen()
    while True:
        conn, addr = s.accept()
        with conn:
            print(f"Connected by {addr}")
            try:
                while True:
                    text = recv_message(conn).decode("utf-8")
                    print(f"{addr} sent {text!r}")
                    send_message(conn, text.upper().encode("utf-8"))
            except (EOFError, ValueError) as e:
                print(f"Closing {addr}: {e}")
