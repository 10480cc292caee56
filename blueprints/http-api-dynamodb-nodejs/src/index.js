// An HTTP API (API Gateway proxy integration, payload 1.0) over a DynamoDB table.
//
// Routes: GET /items, GET /items/{id}, PUT /items (JSON body with an "id"), DELETE /items/{id}.
// The table is reached through the AWS SDK for JavaScript v3 (part of Lambda's Node.js runtimes), which reads
// the endpoint from AWS_ENDPOINT_URL when the workbench's local services are running. The SDK is loaded on
// first use, so requests answered without the table (bad JSON, an unknown method) never need it.

let documentClient = null;

function sdk() {
  if (documentClient === null) {
    const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
    const { DynamoDBDocumentClient } = require("@aws-sdk/lib-dynamodb");
    documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  }
  return { client: documentClient, commands: require("@aws-sdk/lib-dynamodb") };
}

// The four table operations the routes use.
const store = {
  async get(id) {
    const { client, commands } = sdk();
    const out = await client.send(new commands.GetCommand({ TableName: process.env.TABLE_NAME, Key: { id } }));
    return out.Item || null;
  },
  async put(item) {
    const { client, commands } = sdk();
    await client.send(new commands.PutCommand({ TableName: process.env.TABLE_NAME, Item: item }));
  },
  async scan() {
    const { client, commands } = sdk();
    const out = await client.send(new commands.ScanCommand({ TableName: process.env.TABLE_NAME }));
    return out.Items || [];
  },
  async remove(id) {
    const { client, commands } = sdk();
    await client.send(new commands.DeleteCommand({ TableName: process.env.TABLE_NAME, Key: { id } }));
  },
};

function respond(statusCode, body) {
  return { statusCode, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

exports.handler = async (event) => {
  const method = event.httpMethod || "";
  const id = (event.pathParameters || {}).id;
  if (method === "GET" && id) {
    const found = await store.get(id);
    return found ? respond(200, found) : respond(404, { message: `no item ${id}` });
  }
  if (method === "GET") return respond(200, { items: await store.scan() });
  if (method === "PUT") {
    let item;
    try {
      item = JSON.parse(event.body || "");
    } catch (error) {
      return respond(400, { message: `the body is not JSON: ${error.message}` });
    }
    if (!item || typeof item !== "object" || typeof item.id !== "string" || !item.id) {
      return respond(400, { message: 'the body must be a JSON object with a non-empty string "id"' });
    }
    await store.put(item);
    return respond(201, item);
  }
  if (method === "DELETE" && id) {
    await store.remove(id);
    return respond(204, {});
  }
  return respond(405, { message: `${method} is not allowed here` });
};
