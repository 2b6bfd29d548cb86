import socket
import threading

HOST = "127.0.0.1"
PORT = 65432

clients = []
clients_lock = threading.Lock()


def broadcast(message, sender):
    with clients_lock:
        for client in clients[:]:
            if client is sender:
                continue
            try:
                client.sendall(message)
            except OSError:
                clients.remove(client)


def handle(conn, addr):
    buffer = b""
    try:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                broadcast(line + b"\n", conn)
    except ConnectionResetError:
        pass
    finally:
        with clients_lock:
            if conn in clients:
                clients.remove(conn)
        conn.close()
    if buffer:
        print(f"{addr} left {len(buffer)} bytes without a newline")
    print(f"{addr} disconnected")


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, PORT))
    server.listen()
    while True:
        conn, addr = server.accept()
        print(f"{addr} connected")
        with clients_lock:
            clients.append(conn)
        threading.Thread(target=handle, args=(conn, addr), daemon=True).start()
