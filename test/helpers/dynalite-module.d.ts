// Types for the parts of dynalite (CommonJS, untyped) that the test harness uses.
declare module "dynalite" {
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  function dynalite(options?: DynaliteOptions): import("node:http").Server;
  export = dynalite;
}
