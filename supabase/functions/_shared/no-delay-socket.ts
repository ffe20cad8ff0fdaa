// TCP socket factory for the postgres driver with Nagle's algorithm off (TCP_NODELAY), as libpq
// always sets it. postgres.js leaves Nagle on: a COPY's closing CopyDone message then waits for
// the server's delayed ACK of the data before it is sent, tens of milliseconds per COPY on Linux.
// TLS is still negotiated by the driver.
import net from "node:net";

type SocketOptions = { host: string[]; port: number[]; path?: string | false };

/**
 * The socket is handed over while it is still connecting, as the driver's own socket is: the driver
 * then sees a failed connect as an 'error' and 'close' on it, puts the connection back in its pool
 * and connects again for the next query, and its connect_timeout covers the TCP connect too. (A
 * factory that rejects instead leaves the connection stuck in the driver's "connecting" state for
 * good: once the pool's connections have all failed once, every query waits forever.) The driver
 * writes its startup message at once; the socket buffers it until it is connected.
 */
function connectNoDelay(options: SocketOptions): net.Socket {
  // A Unix socket (host=/dir in the URL) has no Nagle to turn off.
  return options.path
    ? net.connect({ path: options.path })
    : net.connect({ host: options.host[0], port: options.port[0], noDelay: true });
}

/** Spread into postgres() options. `socket` is documented (README "Custom socket") but missing
 * from the driver's type declarations, hence the plain object type. */
export const NO_DELAY_SOCKET: object = { socket: connectNoDelay };
