import EchoLab from './EchoLab.astro';

/** The components lesson MDX may use without importing them. */
export const mdxComponents = { EchoLab };
