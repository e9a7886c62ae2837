// Types for the parts of Express 5 (CommonJS, untyped here: no @types/express) that bench/subjects/sdk-v1.ts uses.
declare module "express" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface Request extends IncomingMessage {
    body?: unknown;
  }
  interface Response extends ServerResponse {
    status(code: number): Response;
    json(body: unknown): Response;
  }
  type Handler = (req: Request, res: Response, next: (error?: unknown) => void) => unknown;
  interface Application {
    (req: IncomingMessage, res: ServerResponse): void;
    use(handler: Handler): Application;
    post(path: string, handler: (req: Request, res: Response) => unknown): Application;
  }
  interface Express {
    (): Application;
    json(options?: { limit?: string | number }): Handler;
  }
  const express: Express;
  export default express;
  export type { Application, Request, Response };
}
