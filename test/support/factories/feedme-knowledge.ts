/**
 * A support knowledge base of 55 Q&A pairs, each with a paraphrase of its question as a customer
 * might ask it another day (different wording, the same key terms). Acceptance 3 of issue 8:
 * searching for the paraphrase must return the pair's own example first.
 */
export interface KnowledgePair {
  question: string;
  answer: string;
  paraphrase: string;
}

export const KNOWLEDGE_PAIRS: KnowledgePair[] = [
  {
    question: 'How do I reset my password?',
    answer:
      'Open Settings > Security, click "Reset password" and follow the link in the email we send you.',
    paraphrase: 'I forgot my password, how can I reset it?',
  },
  {
    question: 'Can I change the email address of my account?',
    answer:
      'Yes, go to Profile > Email, enter the new address and confirm it from the message we send there.',
    paraphrase: 'Is it possible to update my account email address?',
  },
  {
    question: 'How do I enable two-factor authentication?',
    answer:
      'Go to Settings > Security > Two-factor authentication, scan the QR code with an authenticator app and enter the code it shows.',
    paraphrase: 'Where do I turn on two-factor authentication for my login?',
  },
  {
    question: 'Why was my card declined at checkout?',
    answer:
      'Cards are declined when the bank refuses the payment; check the card number, expiry date and limit, or call your bank.',
    paraphrase: 'My card keeps getting declined when I pay at checkout, why?',
  },
  {
    question: 'How can I download my invoices?',
    answer:
      'Open Billing > Invoices and click the download icon next to each invoice to get a PDF.',
    paraphrase: 'Where can I download invoices for my accountant?',
  },
  {
    question: 'Can I get a refund for a duplicate charge?',
    answer:
      'Yes, duplicate charges are refunded in full within 5 to 10 business days once we confirm them.',
    paraphrase: 'I see a duplicate charge on my statement, will it be refunded?',
  },
  {
    question: 'How do I cancel my subscription?',
    answer:
      'Open Billing > Subscription and click "Cancel subscription"; access continues until the end of the paid period.',
    paraphrase: 'I want to cancel the subscription, what are the steps?',
  },
  {
    question: 'Do you offer discounts for nonprofits?',
    answer:
      'Registered nonprofits get 50% off every plan; send us your registration certificate to apply.',
    paraphrase: 'Is there a nonprofit discount available?',
  },
  {
    question: 'How long does standard shipping take?',
    answer: 'Standard shipping takes 3 to 5 working days within the EU and 7 to 10 elsewhere.',
    paraphrase: 'What is the delivery time for standard shipping?',
  },
  {
    question: 'Can I track my parcel?',
    answer:
      'Yes, the shipping confirmation email contains a tracking link that shows where your parcel is.',
    paraphrase: 'Where do I find the tracking for my parcel?',
  },
  {
    question: 'Do you ship internationally?',
    answer: 'We ship to 40 countries; the checkout lists every destination and its shipping price.',
    paraphrase: 'Is international shipping available to other countries?',
  },
  {
    question: 'How do I return a damaged item?',
    answer:
      'Report the damage within 14 days under Orders > Return, attach a photo, and we send a prepaid return label.',
    paraphrase: 'The item arrived damaged, how do I send it back as a return?',
  },
  {
    question: 'Can I exchange shoes for a different size?',
    answer:
      'Yes, request an exchange under Orders > Exchange within 30 days; the new size ships when we receive the old pair.',
    paraphrase: 'These shoes are the wrong size, can I exchange them?',
  },
  {
    question: 'What is your warranty period for electronics?',
    answer: 'Electronics carry a two-year warranty covering manufacturing defects.',
    paraphrase: 'How long is the warranty on electronics you sell?',
  },
  {
    question: 'How do I install the desktop app on Windows?',
    answer:
      'Download the installer from our website, run it and follow the setup wizard; it needs Windows 10 or later.',
    paraphrase: 'What are the steps to install the Windows desktop app?',
  },
  {
    question: 'Why does the mobile app crash on startup?',
    answer:
      'Update the app to the latest version and restart your phone; if it still crashes, reinstall it.',
    paraphrase: 'The mobile app keeps crashing when it starts up.',
  },
  {
    question: 'How do I export my data to CSV?',
    answer:
      'Go to Reports, choose the date range and click "Export CSV"; the file downloads at once.',
    paraphrase: 'Can I export data as a CSV file?',
  },
  {
    question: 'Can I import contacts from a spreadsheet?',
    answer: 'Yes, use Contacts > Import and upload an XLSX or CSV spreadsheet with a header row.',
    paraphrase: 'Is there a way to import my contacts from a spreadsheet?',
  },
  {
    question: 'How do I connect the Slack integration?',
    answer:
      'Open Integrations > Slack, click "Connect" and authorise the workspace you want notifications in.',
    paraphrase: 'How can I set up the Slack integration?',
  },
  {
    question: 'What are the API rate limits?',
    answer:
      'The API allows 600 requests per minute per key; over that you get 429 with a Retry-After header.',
    paraphrase: 'How many API requests can I make, what are the rate limits?',
  },
  {
    question: 'How do I generate an API key?',
    answer:
      'Go to Settings > API keys, click "New key", name it and copy the key; it is shown only once.',
    paraphrase: 'Where do I generate a new API key?',
  },
  {
    question: 'Can I invite teammates to my workspace?',
    answer: 'Yes, open Settings > Team and click "Invite" to send invitations by email.',
    paraphrase: 'How do I invite a teammate to our workspace?',
  },
  {
    question: 'How do I remove a user from my team?',
    answer:
      'Open Settings > Team, click the user and choose "Remove from team"; their content stays.',
    paraphrase: 'I need to remove a former employee user from the team.',
  },
  {
    question: 'What happens to my data if I delete my account?',
    answer:
      'Deleting your account erases your data after 30 days; export it first if you want to keep it.',
    paraphrase: 'If I delete the account, is my data deleted too?',
  },
  {
    question: 'Is my data encrypted?',
    answer: 'Data is encrypted in transit with TLS 1.3 and at rest with AES-256.',
    paraphrase: 'Do you encrypt customer data?',
  },
  {
    question: 'Are you GDPR compliant?',
    answer: 'Yes, we are GDPR compliant and offer a data processing agreement on request.',
    paraphrase: 'Is your service compliant with GDPR?',
  },
  {
    question: 'How do I change my subscription plan?',
    answer: 'Open Billing > Plan, pick the new plan and confirm; the price difference is prorated.',
    paraphrase: 'Can I switch to another plan, upgrading or downgrading?',
  },
  {
    question: 'Do you have a free trial?',
    answer: 'Every plan has a 14-day free trial without a credit card.',
    paraphrase: 'Is there a free trial before I pay?',
  },
  {
    question: 'How do I update my billing address?',
    answer: 'Go to Billing > Details, edit the billing address and save; future invoices use it.',
    paraphrase: 'My company moved, where do I update the billing address?',
  },
  {
    question: 'Can I pay by bank transfer?',
    answer:
      'Annual plans can be paid by bank transfer; ask us for an invoice with our bank details.',
    paraphrase: 'Is bank transfer accepted as a way to pay?',
  },
  {
    question: 'How do I add VAT number to invoices?',
    answer: 'Enter your VAT number under Billing > Details; invoices issued after that show it.',
    paraphrase: 'Where do I put our VAT number so it shows on invoices?',
  },
  {
    question: 'Why is the website loading slowly?',
    answer:
      'Slow loading is usually a browser extension or cache; clear the cache or try a private window.',
    paraphrase: 'Pages on the website are very slow to load.',
  },
  {
    question: 'Which browsers are supported?',
    answer: 'We support the last two versions of Chrome, Firefox, Safari and Edge.',
    paraphrase: 'Is my browser supported, which ones work?',
  },
  {
    question: 'How do I change the language of the interface?',
    answer: 'Open Profile > Preferences and choose the interface language from the list.',
    paraphrase: 'Can I switch the interface language to German?',
  },
  {
    question: 'How do I set up email notifications?',
    answer: 'Go to Profile > Notifications and tick the email notifications you want to receive.',
    paraphrase: 'Where do I choose which email notifications I get?',
  },
  {
    question: 'Can I schedule reports to be sent weekly?',
    answer: 'Yes, open a report, click "Schedule" and choose weekly delivery to any email address.',
    paraphrase: 'Is it possible to schedule a weekly report by email?',
  },
  {
    question: 'How do I recover a deleted project?',
    answer: 'Deleted projects stay in Trash for 30 days; open Trash and click "Restore".',
    paraphrase: 'I deleted a project by mistake, can I recover it?',
  },
  {
    question: 'Is there a limit on file upload size?',
    answer: 'Files up to 2 GB can be uploaded; larger files must be split or compressed.',
    paraphrase: 'What is the maximum upload size for a file?',
  },
  {
    question: 'How do I share a document with a client?',
    answer:
      'Open the document, click "Share", enter the client email and choose view or edit access.',
    paraphrase: 'Can I share a document with an external client?',
  },
  {
    question: 'Why did I not receive the verification email?',
    answer:
      'Check your spam folder; if it is not there, click "Resend verification" on the sign-in page.',
    paraphrase: 'The verification email never arrived in my inbox.',
  },
  {
    question: 'How do I unlock my locked account?',
    answer:
      'Accounts unlock automatically after 30 minutes, or at once through the link in the lockout email.',
    paraphrase: 'My account got locked after failed attempts, how do I unlock it?',
  },
  {
    question: 'Can I use single sign-on with Okta?',
    answer: 'Yes, SAML single sign-on with Okta is available on the Enterprise plan.',
    paraphrase: 'Does single sign-on through Okta work?',
  },
  {
    question: 'How do I print a shipping label?',
    answer: 'Open the order, click "Create label" and print the PDF on A4 or a label printer.',
    paraphrase: 'Where can I print the shipping label for an order?',
  },
  {
    question: 'What payment methods do you accept?',
    answer:
      'We accept Visa, Mastercard, American Express, PayPal and, for annual plans, bank transfer.',
    paraphrase: 'Which payment methods can I use?',
  },
  {
    question: 'How do I close my store temporarily?',
    answer:
      'Turn on vacation mode under Store > Settings; the store shows as closed until you turn it off.',
    paraphrase: 'Can I temporarily close the store while on holiday?',
  },
  {
    question: 'Can I change an order after placing it?',
    answer: 'Orders can be changed within one hour of placing them, under Orders > Edit.',
    paraphrase: 'I placed an order and need to change it.',
  },
  {
    question: 'How do I apply a coupon code?',
    answer: 'Enter the coupon code in the "Discount code" field at checkout and click "Apply".',
    paraphrase: 'Where do I enter my coupon code?',
  },
  {
    question: 'Why was my account suspended?',
    answer:
      'Accounts are suspended for unpaid invoices or a terms violation; the suspension email says which.',
    paraphrase: 'My account has been suspended, what is the reason?',
  },
  {
    question: 'How do I contact phone support?',
    answer: 'Phone support is available on weekdays from 9 to 17 CET at +45 70 20 30 40.',
    paraphrase: 'What is the phone number for support?',
  },
  {
    question: 'Do you have an Android app?',
    answer: 'Yes, our Android app is on Google Play and needs Android 10 or later.',
    paraphrase: 'Is there an app for Android phones?',
  },
  {
    question: 'How do I sync my calendar with Google Calendar?',
    answer:
      'Open Integrations > Calendar, choose Google Calendar and allow access; events sync both ways.',
    paraphrase: 'Can my calendar sync with Google Calendar?',
  },
  {
    question: 'How do I merge duplicate contacts?',
    answer:
      'Select the duplicate contacts in Contacts, click "Merge" and pick which values to keep.',
    paraphrase: 'I have duplicate contacts, can they be merged?',
  },
  {
    question: 'Can I white-label the customer portal?',
    answer:
      'White-labeling the portal with your logo, colours and domain is part of the Business plan.',
    paraphrase: 'Is white-label branding of the customer portal possible?',
  },
  {
    question: 'How do I set a spending budget for my team?',
    answer:
      'Go to Billing > Budgets, set a monthly spending budget per team and choose who gets alerts.',
    paraphrase: 'Can I limit team spending with a budget?',
  },
  {
    question: 'What time zone are reports in?',
    answer: 'Reports use the time zone of your workspace, set under Settings > General.',
    paraphrase: 'Which time zone do the reports use?',
  },
];

/** The pairs as a plain-text chat log, "Customer:" / "Agent:" lines, a greeting first. */
export function knowledgeTranscript(pairs: readonly KnowledgePair[]): string {
  const lines = ['Customer: Hello!', 'Agent: Hi, thanks for reaching out. How can I help?'];
  for (const pair of pairs) lines.push(`Customer: ${pair.question}`, `Agent: ${pair.answer}`);
  lines.push('Customer: Thanks!', 'Agent: You are welcome.');
  return lines.join('\n');
}
