/** Prints one figure of a benchmark: its name, the figure, and what it is measured against. */
export type Report = (name: string, figure: string, detail?: string) => void;
