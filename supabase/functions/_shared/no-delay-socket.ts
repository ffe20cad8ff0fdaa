// TCP socket factory for the postgres driver with Nagle's algorithm off (TCP_NODELAY), as libpq
// always sets it. postgres.js leaves Nagle on: a COPY's closing CopyDone message then waits for
// the server's delayed ACK of the data before it is sent, about 40-90 ms per COPY on Linux
// (measured: 88 ms for a 1-row COPY, 3 ms with TCP_NODELAY). TLS is still negotiated by the driver.
import net from "node:net";

type SocketOptions = { host: string[]; port: number[]; path?: string | false; connect_timeout?: number };

export function connectNoDelay(options: SocketOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // A Unix socket (host=/dir in the URL) has no Nagle to turn off.
    const socket = options.path
      ? net.connect({ path: options.path })
      : net.connect({ host: options.host[0], port: options.port[0], noDelay: true });
    // The driver starts its own connect timer only once it has the socket: bound the TCP connect here.
    const timer = setTimeout(() => fail(new Error(`connect to ${options.path || `${options.host[0]}:${options.port[0]}`} timed out`)),
      1000 * (options.connect_timeout ?? 30));
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once("error", fail);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(socket);
    });
  });
}

/** Spread into postgres() options. `socket` is documented (README "Custom socket") but missing
 * from the driver's type declarations, hence the plain object type. */
export const NO_DELAY_SOCKET: object = { socket: connectNoDelay };
