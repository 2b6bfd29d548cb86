import socket

HOST = "127.0.0.1"  # loopback: only programs on this machine can connect
PORT = 65432        # above 1023, and outside Linux's ephemeral range 32768-60999

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # before bind(): see below
    s.bind((HOST, PORT))
    s.listen()
    print("listening on", s.getsockname())
    conn, addr = s.accept()
    with conn:
        print("connected by", addr)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
    print("the client closed its side, so we closed ours")
