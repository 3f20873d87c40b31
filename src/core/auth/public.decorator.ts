import { PATH_METADATA } from '@nestjs/common/constants.js';
import { DECORATORS } from '@nestjs/swagger';

export const IS_PUBLIC = 'conveyor:auth:public';

/**
 * Lets a route (or every route of a controller) through without credentials. Swagger shows it
 * with an empty security requirement, i.e. "no key needed". Credentials sent anyway are still
 * read, so a public page can greet a signed-in user. CSRF checks do not apply: a public route that
 * changes state protects itself (the login form does, with its own token).
 */
export function Public(): ClassDecorator & MethodDecorator {
  const decorate = (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      markPublic(descriptor.value as object);
      return descriptor;
    }
    Reflect.defineMetadata(IS_PUBLIC, true, target);
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const member = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (typeof member === 'function' && Reflect.hasMetadata(PATH_METADATA, member))
        markPublic(member);
    }
    return undefined;
  };
  return decorate as ClassDecorator & MethodDecorator;
}

function markPublic(handler: object): void {
  Reflect.defineMetadata(IS_PUBLIC, true, handler);
  // OpenAPI: an operation-level `security: []` overrides the document-wide requirement.
  const operation = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) ?? {}) as object;
  Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...operation, security: [] }, handler);
}
