// An HTTPS front for dynalite, because DynamoDB is only reachable over TLS: with it, a subject's first DynamoDB
// call pays for the TLS handshake (and the DNS lookup of "localhost") as it would in Lambda. The certificate is
// a throwaway self-signed one made with the openssl command line; children trust it via NODE_EXTRA_CA_CERTS
// (which Lambda's nodejs runtime sets too, to its own CA bundle).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface TlsFront {
  /** https://localhost:<port> */
  endpoint: string;
  /** PEM file of the self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  stop(): Promise<void>;
}

/** Starts the front, or returns undefined when openssl is missing (the benchmark then says it ran over HTTP). */
export async function startTlsFront(upstream: string, dir: string): Promise<TlsFront | undefined> {
  const keyFile = join(dir, "tls-key.pem");
  const caFile = join(dir, "tls-cert.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        caFile,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
  } catch {
    return undefined;
  }
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo; // a TCP server's address is an AddressInfo
  return {
    endpoint: `https://localhost:${port}`,
    caFile,
    stop: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
