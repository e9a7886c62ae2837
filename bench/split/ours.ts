// bench/split.ts's build of ours: the real Lambda entry, wrapped.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { handler as lambdaHandler } from "../../src/lambda.ts";
import { withCpuSplit } from "./wrap.ts";

export const handler = withCpuSplit(DynamoDBClient, lambdaHandler);
