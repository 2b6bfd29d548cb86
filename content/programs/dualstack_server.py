import socket

PORT = 65432

print("dual-stack supported:", socket.has_dualstack_ipv6())
server = socket.create_server(("", PORT), family=socket.AF_INET6, dualstack_ipv6=True)
with server:
    print("listening on", server.getsockname())
    while True:
        conn, addr = server.accept()
        with conn:
            host = addr[0]
            family = "IPv4" if host.startswith("::ffff:") else "IPv6"
            print(f"{family} client {addr} reached {conn.getsockname()}")
            conn.sendall(f"hello, {host}\n".encode())
