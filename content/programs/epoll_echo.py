import selectors
import socket
import types

HOST = "127.0.0.1"
PORT = 65432

sel = selectors.DefaultSelector()


def accept(lsock):
    conn, addr = lsock.accept()
    print(f"Accepted connection from {addr}")
    conn.setblocking(False)
    data = types.SimpleNamespace(addr=addr, outb=b"")
    sel.register(conn, selectors.EVENT_READ, data=data)


def serve(key, mask):
    sock = key.fileobj
    data = key.data
    if mask & selectors.EVENT_READ:
        try:
            received = sock.recv(1024)
        except ConnectionResetError:
            received = b""
        if not received:
            print(f"Closing connection to {data.addr}")
            sel.unregister(sock)
            sock.close()
            return
        data.outb += received
    try:
        sent = sock.send(data.outb)
    except BlockingIOError:
        sent = 0
    data.outb = data.outb[sent:]
    events = selectors.EVENT_READ
    if data.outb:
        events |= selectors.EVENT_WRITE
    if events != key.events:
        sel.modify(sock, events, data=data)


lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind((HOST, PORT))
lsock.listen()
print(f"Listening on {(HOST, PORT)}")
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ)

while True:
    for key, mask in sel.select():
        if key.fileobj is lsock:
            accept(lsock)
        else:
            serve(key, mask)
