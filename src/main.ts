import 'reflect-metadata';
import { runMain } from './main-runner.js';

await runMain();
