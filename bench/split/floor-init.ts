// bench/split.ts's build of the INIT-optimised floor, wrapped.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { handler as floorHandler } from "../subjects/floor-init.ts";
import { withCpuSplit } from "./wrap.ts";

export const handler = withCpuSplit(DynamoDBClient, floorHandler);
