import socket

HOST = "127.0.0.1"
PORT = 65432

lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind((HOST, PORT))
lsock.listen()
lsock.setblocking(False)
conns = []
while True:
    try:
        conn, addr = lsock.accept()
        conn.setblocking(False)
        conns.append(conn)
    except BlockingIOError:
        pass
    for sock in conns[:]:
        try:
            data = sock.recv(1024)
        except BlockingIOError:
            continue
        except ConnectionResetError:
            data = b""
        if data:
            sock.sendall(data)
        else:
            conns.remove(sock)
            sock.close()
