#!/usr/bin/env node
import { useCompactHeap } from '../dist/heap.js';

// Before anything else allocates: V8 sizes the young generation during module loading.
useCompactHeap();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
