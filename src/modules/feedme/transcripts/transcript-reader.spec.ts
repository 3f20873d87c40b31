import { describe, expect, it } from '@jest/globals';
import { readEmlTranscript, readMboxTranscript } from './email-transcript.js';
import { htmlToText, sanitizeTranscriptHtml } from './html-transcript.js';
import { readJsonTranscript } from './json-transcript.js';
import { TranscriptError } from './transcript-format.js';
import { readTranscriptText } from './transcript-reader.js';

describe('HTML transcripts', () => {
  it('drops scripts, handlers, frames and javascript: links before reading the text', () => {
    const html = sanitizeTranscriptHtml(
      '<p onclick="x()">Customer: hi?<script>steal()</script></p><img src=x onerror="alert(1)"><a href="javascript:alert(1)">go</a><iframe src="//e"></iframe><a href="https://ok.example/">ok</a>',
    );
    expect(html).not.toMatch(/script|onclick|onerror|javascript:|iframe|<img|steal/);
    expect(html).toContain(
      '<a href="https://ok.example/" rel="nofollow noopener noreferrer">ok</a>',
    );
    expect(htmlToText('<div><b>Customer:</b> one</div><div><b>Agent:</b> two<br>three</div>')).toBe(
      'Customer: one\nAgent: two\nthree',
    );
  });
});

describe('JSON exports', () => {
  it('reads a Zendesk ticket: roles from users, private comments left out, ticket tags kept', () => {
    const read = readJsonTranscript(
      JSON.stringify({
        ticket: { requester_id: 1, tags: ['Billing'] },
        users: [
          { id: 1, name: 'C', role: 'end-user' },
          { id: 2, name: 'A', role: 'agent' },
        ],
        comments: [
          { author_id: 1, body: 'Question?' },
          { author_id: 2, public: false, body: 'note' },
          { author_id: 2, html_body: '<p>Answer</p>' },
        ],
      }),
    );
    expect(read).toEqual({
      format: 'zendesk',
      tags: ['Billing'],
      turns: [
        { role: 'customer', name: 'C', text: 'Question?' },
        { role: 'agent', name: 'A', text: 'Answer' },
      ],
    });
  });

  it('orders HelpScout threads oldest first and names what it cannot read', () => {
    const read = readJsonTranscript(
      JSON.stringify({
        threads: [
          { type: 'message', createdAt: '2026-01-02', body: 'Later', createdBy: { type: 'user' } },
          {
            type: 'customer',
            createdAt: '2026-01-01',
            body: 'First',
            createdBy: { type: 'customer' },
          },
        ],
      }),
    );
    expect(read.turns.map((t) => t.text)).toEqual(['First', 'Later']);
    expect(() => readJsonTranscript('[1, 2]')).toThrow(TranscriptError);
    expect(() => readJsonTranscript('{')).toThrow(/does not parse/);
  });
});

describe('email', () => {
  it('unfolds the replies an .eml quotes into earlier turns, oldest first', () => {
    const turns = readEmlTranscript(
      [
        'From: Agent <a@shop.example>',
        'Subject: Re: q',
        'Content-Type: text/plain',
        '',
        'Second answer.',
        '',
        'On Mon, 2 Mar 2026 at 10:00, Cus Tomer <c@x.example> wrote:',
        '> Second question?',
        '>',
        '> On Mon, 2 Mar 2026 at 09:00, Agent <a@shop.example> wrote:',
        '>> First answer.',
        '>>',
        '>> On Mon, 2 Mar 2026 at 08:00, Cus Tomer <c@x.example> wrote:',
        '>>> First question?',
      ].join('\n'),
    );
    expect(turns.map((t) => `${t.role}: ${t.text}`)).toEqual([
      'customer: First question?',
      'agent: First answer.',
      'customer: Second question?',
      'agent: Second answer.',
    ]);
  });

  it('reads a quoted-printable multipart message and strips signatures in an mbox', () => {
    const mbox = [
      'From c@x.example Mon Mar  2 08:00:00 2026',
      'From: C <c@x.example>',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=C3=A9 question?',
      '-- ',
      'C, signature',
      '--b1',
      'Content-Type: text/html',
      '',
      '<p>ignored</p>',
      '--b1--',
      '',
      'From a@shop.example Mon Mar  2 09:00:00 2026',
      'From: A <a@shop.example>',
      '',
      'Answer.',
      '> Café question?',
    ].join('\n');
    expect(readMboxTranscript(mbox).map((t) => `${t.role}: ${t.text}`)).toEqual([
      'customer: Café question?',
      'agent: Answer.',
    ]);
  });
});

describe('readTranscriptText', () => {
  it('keeps plain chat logs as they are and counts their turns', () => {
    const read = readTranscriptText('text', 'Customer: a?\r\nAgent: b\r\ncontinued\r\n');
    expect(read).toMatchObject({
      format: 'text',
      transcript: 'Customer: a?\nAgent: b\ncontinued',
      turnCount: 2,
    });
  });

  it('refuses a text with fewer than two speaker turns', () => {
    expect(() => readTranscriptText('text', 'just notes')).toThrow(/no speaker turns/);
    expect(() => readTranscriptText('text', '')).toThrow(/no text/);
  });
});
