import socket
import uring

HOST = "127.0.0.1"
PORT = 65432

ring = uring.Ring(entries=8)

lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind((HOST, PORT))
lsock.listen()
print(f"Listening on {(HOST, PORT)}")
listen_fd = lsock.fileno()
ring.prep_accept(listen_fd, user_data=("accept", listen_fd, b""))

while True:
    ring.submit()
    cqe = ring.wait_cqe()
    op, fd, pending = cqe.user_data
    if op == "accept":
        if cqe.res >= 0:
            print(f"Accepted a connection as fd {cqe.res}")
            ring.prep_recv(cqe.res, 1024, user_data=("recv", cqe.res, b""))
        ring.prep_accept(fd, user_data=("accept", fd, b""))
    elif op == "recv" and cqe.res > 0:
        ring.prep_send(fd, cqe.buf, user_data=("send", fd, cqe.buf))
    elif op == "send" and cqe.res >= 0 and cqe.res < len(pending):
        rest = pending[cqe.res:]
        ring.prep_send(fd, rest, user_data=("send", fd, rest))
    elif op == "send" and cqe.res >= 0:
        ring.prep_recv(fd, 1024, user_data=("recv", fd, b""))
    elif op != "close":
        print(f"Closing fd {fd} (res {cqe.res})")
        ring.prep_close(fd, user_data=("close", fd, b""))
    ring.cqe_seen(cqe)
