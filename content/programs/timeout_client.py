import socket

HOST = "127.0.0.1"
PORT = 65432

with socket.create_connection((HOST, PORT), timeout=2.5) as sock:
    print("timeout:", sock.gettimeout())
    sock.sendall(b"ping\n")
    print("reply:", sock.recv(1024))
    try:
        print("more:", sock.recv(1024))
    except TimeoutError as err:
        print("nothing more within", sock.gettimeout(), "s:", repr(err))
print("socket.timeout is TimeoutError:", socket.timeout is TimeoutError)
