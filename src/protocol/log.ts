// One structured JSON log line per request. Only what operations need: never memory content, never
// a key, never a digest; the request id is kept short and tool arguments are never logged.
import type { RawId } from "./jsonrpc.ts";

export interface RequestLog {
  httpMethod?: string;
  /** JSON-RPC method (client-chosen), or "batch"; cut to 64 characters. */
  method?: string;
  tool?: string;
  /** The JSON-RPC id (client-chosen, carries no secret), cut to 64 characters. */
  id?: RawId;
  batchSize?: number;
  status: number;
  rpcError?: number;
  /** For the OAuth paths (not JSON-RPC): which endpoint, e.g. "token". */
  endpoint?: string;
  /** The OAuth error code answered or the security event seen, e.g. "invalid_grant", "refresh_token_reuse". */
  oauthError?: string;
  /** For an unexpected failure: the error's class name only, never its message. */
  error?: string;
  durationMs?: number;
}

export interface Logger {
  request(entry: RequestLog): void;
  /** Events outside requests, such as the end of INIT; the fields must hold no secret. */
  info(message: string, fields: Readonly<Record<string, string | number>>): void;
  /** Start-up problems such as a bad configuration; the text must hold no secret. */
  warn(message: string): void;
}

export type LineSink = (line: string) => void;

export function createLogger(sink: LineSink = (line) => process.stdout.write(`${line}\n`)): Logger {
  return {
    request(entry) {
      const line: Record<string, unknown> = { level: "info", msg: "request", ...entry };
      if (entry.id !== undefined) line.id = entry.id.slice(0, 64);
      // Client-chosen too: a method name of 256 KiB would carry whatever the client put in it into the log.
      if (entry.method !== undefined) line.method = entry.method.slice(0, 64);
      sink(JSON.stringify(line));
    },
    info(message, fields) {
      sink(JSON.stringify({ level: "info", msg: message, ...fields }));
    },
    warn(message) {
      sink(JSON.stringify({ level: "warn", msg: message }));
    },
  };
}
