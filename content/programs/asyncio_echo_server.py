import asyncio

HOST = "127.0.0.1"
PORT = 65432


async def handle(reader, writer):
    addr = writer.get_extra_info("peername")
    print(f"Connected by {addr}")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
        writer.close()
        await writer.wait_closed()
    except ConnectionResetError:
        print(f"{addr} reset the connection")
    print(f"Closed connection to {addr}")


async def main():
    server = await asyncio.start_server(handle, HOST, PORT)
    print(f"Listening on {(HOST, PORT)}")
    async with server:
        await server.serve_forever()


asyncio.run(main())
