import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { MESSAGE_NAMES, type MessageName, type PlaybookMetadata, type PlaybookSource } from './playbook-definition.js';

/** Reads `playbooks/`: the metadata file and the message templates. */
export async function readPlaybook(dir: string, displayRoot: string): Promise<PlaybookSource> {
  const metadataFile = join(dir, 'playbook.yaml');
  const metadata = parse(await readFile(metadataFile, 'utf8')) as PlaybookMetadata;
  const messages = {} as Record<MessageName, string>;
  const files = { metadata: relative(displayRoot, metadataFile) } as Record<MessageName | 'metadata', string>;
  for (const name of MESSAGE_NAMES) {
    const path = join(dir, 'messages', `${name}.hbs`);
    messages[name] = await readFile(path, 'utf8');
    files[name] = relative(displayRoot, path);
  }
  const reminderFile = join(dir, 'validation-reminder.yaml');
  const reminder = { text: await readFile(reminderFile, 'utf8'), file: relative(displayRoot, reminderFile) };
  return { metadata, messages, files, reminder };
}
