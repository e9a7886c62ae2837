// The Node 22 binary of the node@22 devDependency: the conformance suite (fs.globSync) and the Inspector
// (Node >= 22.19) need it, and Lambda runs nodejs22.x. Found through module resolution, never a machine path.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

export const NODE_22 = join(dirname(require.resolve("node/package.json")), "bin", "node");
