// Subject "floor": the floor handler (floor-core.ts) with nothing done ahead of the first request.
export { handler } from "./floor-core.ts";
