import type { FastifySchemaValidationError } from 'fastify';

// Ajv says "must NOT have additional properties" without naming one, and quotes required
// names with single quotes; say which member is at fault, in the project's double quotes.
function describe(error: FastifySchemaValidationError, dataVar: string): string {
  const path = `${dataVar}${error.instancePath.replace(/\//g, '.')}`;
  const params = error.params as { additionalProperty?: string; missingProperty?: string };

  if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    return `${path} has unknown property "${params.additionalProperty}"`;
  }

  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    return `${path} must have required property "${params.missingProperty}"`;
  }

  return `${path} ${error.message ?? 'is invalid'}`;
}

/**
 * Fastify `schemaErrorFormatter`: one 400 message listing what is wrong, never echoing a value
 * (a mistyped password must not come back in a response or a log line).
 *
 * @example
 * const app = Fastify({ schemaErrorFormatter: formatValidationErrors });
 * // 400 "body has unknown property \"admin\"; body.password must be string"
 */
export function formatValidationErrors(
  errors: FastifySchemaValidationError[],
  dataVar: string,
): Error {
  return new Error(errors.map((error) => describe(error, dataVar)).join('; '));
}
