export * from './article.dto.js';
export * from './cost-index.dto.js';
