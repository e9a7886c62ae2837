// `make reindex`: indexes the memories of a table written before the search index existed, settles any
// pending ones, and marks the index built (docs/storage-index.md, "Migration"). Safe to run while the
// function serves, and again. TABLE_NAME names the table; region and credentials come from the environment
// as for the AWS CLI (AWS_REGION, AWS_PROFILE ...).
import { createDynamoDbClient, reindexDynamoDbTable } from "../src/dynamodb/memory-store.ts";

const tableName = process.env.TABLE_NAME;
if (tableName === undefined || tableName === "") {
  console.error("reindex: set TABLE_NAME to the memory table (terraform output table_name)");
  process.exit(2);
}
const client = createDynamoDbClient();
try {
  const report = await reindexDynamoDbTable({ client, tableName });
  console.log(
    `reindex: ${tableName}: indexed ${report.indexed} memories, settled ${report.settled} pending; the index is built`,
  );
} finally {
  client.destroy();
}
