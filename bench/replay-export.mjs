// A generated Log Analytics export for `npm run bench` (replay at size): sign-ins (interactive and
// non-interactive) and directory changes in time order over `days`, written as it is made, never
// held in memory. One record in 20,000 is a use of a manifest account (a sign-in, token refreshes,
// a change it made), one in 50,000 a failed sign-in to one; the rest are other users.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const pad = (n, width) => String(n).padStart(width, '0');
const guid = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Log Analytics' own datetime text: 7 fraction digits, Z. */
function laTime(ms) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}0000Z`;
}

function signIn(i, ms, table, account) {
  const user = i % 40_000;
  const failed = account === undefined ? i % 9 === 0 : i % 50_000 === 0;
  const location = { city: 'Amsterdam', state: 'Noord-Holland', countryOrRegion: i % 7 === 0 ? 'US' : 'NL' };
  const device = { deviceId: '', operatingSystem: 'Windows10', browser: 'Edge 131.0.0' };
  const nonInteractive = table === 'AADNonInteractiveUserSignInLogs';
  return {
    TimeGenerated: laTime(ms),
    Type: table,
    Category: nonInteractive ? 'NonInteractiveUserSignInLogs' : 'SignInLogs',
    OperationName: 'Sign-in activity',
    UserId: account ? account.objectId : guid(user),
    UserPrincipalName: account ? account.userPrincipalName : `user${user}@contoso.com`,
    ResultType: failed ? '50126' : '0',
    ResultDescription: failed ? 'Invalid username or password or Invalid on-premise username or password.' : '',
    IPAddress: `198.51.${(i >> 8) & 255}.${i & 255}`,
    AppId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
    AppDisplayName: nonInteractive ? 'Microsoft Graph' : 'Azure Portal',
    ClientAppUsed: 'Browser',
    // The non-interactive table stores its dynamic columns as JSON text.
    LocationDetails: nonInteractive ? JSON.stringify(location) : location,
    DeviceDetail: nonInteractive ? JSON.stringify(device) : device,
    Status: nonInteractive ? JSON.stringify({ errorCode: failed ? 50126 : 0 }) : { errorCode: failed ? 50126 : 0 },
    CorrelationId: guid(i),
  };
}

function change(i, ms, account) {
  const actor = account ? { id: account.objectId, userPrincipalName: account.userPrincipalName, ipAddress: '203.0.113.24' } : { id: guid(i % 40_000), userPrincipalName: `user${i % 40_000}@contoso.com`, ipAddress: '198.51.100.7' };
  return {
    TimeGenerated: laTime(ms),
    Type: 'AuditLogs',
    Category: 'UserManagement',
    OperationName: i % 2 === 0 ? 'Update user' : 'Add member to group',
    Result: 'success',
    LoggedByService: 'Core Directory',
    CorrelationId: guid(i),
    InitiatedBy: { user: actor },
    TargetResources: [{ id: guid(i + 7), displayName: null, type: 'User', userPrincipalName: `target${i % 1000}@contoso.com`, modifiedProperties: [{ displayName: 'AccountEnabled', oldValue: '[true]', newValue: '[true]' }] }],
  };
}

/** The i-th record of `rows` spread over `days` up to `end` (ms), ascending. */
export function exportRecord(i, rows, { end, days, accounts }) {
  const ms = end - Math.floor(((rows - 1 - i) * days * 86_400_000) / rows);
  // Uses of an account: a run of records of one manifest account every 20,000 records.
  const useSlot = i % 20_000;
  const account = useSlot < 4 || i % 50_000 === 0 ? accounts[Math.floor(i / 20_000) % accounts.length] : undefined;
  if (account && useSlot === 3) return change(i, ms, account);
  const kind = i % 10;
  if (kind === 9 && !account) return change(i, ms, undefined);
  return signIn(i, ms, kind % 2 === 0 || useSlot === 0 ? 'SigninLogs' : 'AADNonInteractiveUserSignInLogs', account);
}

const CSV_COLUMNS = ['TimeGenerated', 'Type', 'Category', 'OperationName', 'UserId', 'UserPrincipalName', 'ResultType', 'ResultDescription', 'IPAddress', 'AppId', 'AppDisplayName', 'ClientAppUsed', 'LocationDetails', 'DeviceDetail', 'Status', 'CorrelationId', 'Result', 'LoggedByService', 'InitiatedBy', 'TargetResources'];
const csvCell = (value) => {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * Writes `rows` records to `path`: 'json' (an array, as a Log Analytics query's results),
 * 'jsonl' (one record a line) or 'csv' (a header, dynamic columns as JSON text), oldest first or,
 * with `newestFirst`, newest first (as a query sorted by TimeGenerated desc). Resolves to the bytes
 * written.
 */
export async function writeExport(path, { rows, format = 'json', days = 14, end = Date.parse('2026-11-20T10:00:00Z'), accounts, newestFirst = false }) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let chunk = '';
  const write = async (text) => {
    chunk += text;
    if (chunk.length < 1 << 20) return;
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  if (format === 'json') await write('[\n');
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\r\n`);
  for (let k = 0; k < rows; k++) {
    const record = exportRecord(newestFirst ? rows - 1 - k : k, rows, { end, days, accounts });
    if (format === 'csv') await write(`${CSV_COLUMNS.map((c) => csvCell(record[c])).join(',')}\r\n`);
    else await write(`${JSON.stringify(record)}${format === 'json' ? (k === rows - 1 ? '\n' : ',\n') : '\n'}`);
  }
  if (format === 'json') await write(']\n');
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}

// node bench/replay-export.mjs FILE ROWS [json|jsonl|csv]: the file alone, to replay by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, rows = '1000000', format = 'json'] = process.argv.slice(2);
  const accounts = [
    { objectId: '34bbde15-5585-4333-a9d6-fd1b529ab024', userPrincipalName: 'bg-emergency-01@contoso.onmicrosoft.com', displayName: 'Emergency access 01' },
    { objectId: '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', userPrincipalName: 'bg-emergency-02@contoso.onmicrosoft.com', displayName: 'Emergency access 02' },
  ];
  const bytes = await writeExport(file, { rows: Number(rows), format, accounts });
  console.log(`${file}: ${Number(rows).toLocaleString('en')} records, ${(bytes / 1e6).toFixed(0)} MB`);
}
