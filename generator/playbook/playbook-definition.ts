/** The playbook's own files (`playbooks/`): its metadata and its message templates. */
export interface PlaybookMetadata {
  title: string;
  description: string;
  prerequisites: string[];
  postDeployment: string[];
  lastUpdateTime: string;
  version: string;
  tags: string[];
  support: { tier: string };
  author: { name: string };
}

export const MESSAGE_NAMES = ['email-subject.txt', 'email-body.html', 'sms.txt', 'teams.html', 'incident-comment.html'] as const;
export type MessageName = (typeof MESSAGE_NAMES)[number];

export interface PlaybookSource {
  metadata: PlaybookMetadata;
  /** playbooks/validation-reminder.yaml, as text: parsed and checked by generator/playbook/reminder-template.ts. */
  reminder: { text: string; file: string };
  /** Message name -> Handlebars text. */
  messages: Record<MessageName, string>;
  /** For findings: where each message template is. */
  files: Record<MessageName | 'metadata', string>;
}
