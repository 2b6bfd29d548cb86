import asyncio
import time

HOST = "127.0.0.1"
PORT = 65432


async def handle(reader, writer):
    addr = writer.get_extra_info("peername")
    print(f"Connected by {addr}")
    while True:
        line = await reader.readline()
        if not line:
            break
        time.sleep(1)  # the bug: a blocking call stops the whole event loop
        writer.write(line)
        await writer.drain()
    print(f"Closing connection to {addr}")
    writer.close()


async def main():
    server = await asyncio.start_server(handle, HOST, PORT)
    print(f"Listening on {(HOST, PORT)}")
    async with server:
        await server.serve_forever()


asyncio.run(main())
