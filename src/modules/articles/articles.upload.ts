import { defineUpload, IMAGE_KINDS } from '../../core/files/index.js';

/** The seed's form: `articleName`, `description`, `productSpecification`, `drawing`. */
export const ANALYZE_UPLOAD = defineUpload({
  limit: 'specification',
  files: {
    productSpecification: {
      kinds: ['pdf', 'docx', 'text', 'csv', 'json', 'html', ...IMAGE_KINDS],
      required: true,
      description:
        'The product specification: PDF, DOCX, plain text or Markdown, CSV, JSON, HTML, or an image (read only by a vision-capable model).',
    },
    drawing: {
      kinds: ['pdf', ...IMAGE_KINDS],
      description: 'A technical drawing (stored with the article).',
    },
  },
  text: {
    articleName: { required: true, maxLength: 200, example: 'Widget A' },
    description: { maxLength: 4000, example: 'Metal widget' },
  },
});
