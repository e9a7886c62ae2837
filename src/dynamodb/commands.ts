// The DynamoDB commands the memory store sends and the IAM actions behind them: what terraform/iam.tf
// grants, held equal by test/infra/iam-crosscheck.test.ts.

/** The commands the store sends at run time: what the Lambda's IAM policy must allow. */
export const DYNAMODB_COMMANDS_USED = [
  "BatchGetItem",
  "GetItem",
  "Query",
  "TransactWriteItems",
  "UpdateItem",
] as const;
/** The commands ensureTable sends: local server and tests only, never granted to the Lambda. */
export const DYNAMODB_SETUP_COMMANDS = ["CreateTable", "DescribeTable"] as const;
/**
 * The IAM actions behind DYNAMODB_COMMANDS_USED. TransactWriteItems has no IAM action of its own: each
 * Put / Update / Delete inside it is authorised as PutItem / UpdateItem / DeleteItem
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export const DYNAMODB_IAM_ACTIONS = [
  "dynamodb:BatchGetItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
] as const;
/**
 * The files of src/dynamodb/ that send the commands above or build their transaction actions: what the
 * tests holding them to the IAM policy read.
 */
export const DYNAMODB_STORE_SOURCES = [
  "client.ts",
  "index-search.ts",
  "items.ts",
  "memory-list.ts",
  "memory-store.ts",
  "reindex.ts",
  "search-index.ts",
] as const;
