import asyncio

HOST = "127.0.0.1"
PORT = 65432

writers = []


async def broadcast(message, sender):
    for writer in list(writers):
        if writer is sender:
            continue
        writer.write(message)
        try:
            await writer.drain()
        except ConnectionError:
            pass


async def handle(reader, writer):
    addr = writer.get_extra_info("peername")
    print(f"{addr} connected")
    writers.append(writer)
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            await broadcast(line, writer)
    except ConnectionResetError:
        pass
    finally:
        writers.remove(writer)
        writer.close()
    print(f"{addr} disconnected")


async def main():
    server = await asyncio.start_server(handle, HOST, PORT)
    async with server:
        await server.serve_forever()


asyncio.run(main())
