import EchoLab from './EchoLab.astro';
import Exercise from './Exercise.astro';
import LoopStepper from './LoopStepper.astro';
import Program from './Program.astro';
import TcpStepper from './TcpStepper.astro';

/** The components lesson MDX may use without importing them. */
export const mdxComponents = { EchoLab, Exercise, LoopStepper, Program, TcpStepper };
