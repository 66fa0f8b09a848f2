import { Plugin } from "@nestjs/apollo";
import { getComplexity, simpleEstimator } from "graphql-query-complexity";

const MAX_COMPLEXITY = 500;

// Rejects any operation whose estimated cost is over the limit, before it runs.
@Plugin()
export class ComplexityPlugin {
  constructor(private readonly schema: unknown) {}

  cost(query: unknown): number {
    const complexity = getComplexity({ schema: this.schema, query, estimators: [simpleEstimator({ defaultComplexity: 1 })] });
    if (complexity > MAX_COMPLEXITY) {
      throw new Error(`query too complex: ${complexity}`);
    }
    return complexity;
  }
}
