import socket
import threading

HOST = "127.0.0.1"
PORT = 65432


def receive(sock):
    while True:
        data = sock.recv(1024)
        if not data:
            break
        print(data.decode())


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect((HOST, PORT))
    threading.Thread(target=receive, args=(sock,), daemon=True).start()
    while True:
        msg = input("> ")
        sock.sendall(msg.encode())
