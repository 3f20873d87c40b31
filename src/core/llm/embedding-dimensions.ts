/**
 * Length of every embedding the gateway returns, and of every `vector(...)` column that stores
 * one. A schema fact, not a setting: changing it means a migration that re-creates the vector
 * columns and their HNSW indexes, and re-embedding the stored texts.
 */
export const EMBEDDING_DIMENSIONS = 1536;
