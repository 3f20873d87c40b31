import { defineUpload, TRANSCRIPT_KINDS } from '../../core/files/index.js';

/** The seed's upload form: `title`, `transcript_file`, `auto_process`. */
export const TRANSCRIPT_UPLOAD = defineUpload({
  limit: 'transcript',
  files: {
    transcript_file: {
      kinds: TRANSCRIPT_KINDS,
      required: true,
      description:
        'A support conversation: a plain-text chat log ("Customer: ..." / "Agent: ..." lines), HTML (sanitised on arrival), a Zendesk, Intercom or HelpScout JSON export, an email (.eml) or mailbox (.mbox), or a CSV with speaker and message columns.',
    },
  },
  text: {
    title: {
      required: true,
      maxLength: 300,
      description: 'A name for the transcript, shown in lists and as the source of its examples.',
      example: 'Customer Issue #123',
    },
    auto_process: {
      type: 'boolean',
      description: 'Start processing at once (default true). In sync mode processing always waits.',
      example: true,
    },
  },
});
