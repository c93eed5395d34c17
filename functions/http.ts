/** Registers every HTTP route of functions/routes.ts with Azure Functions. */
import { app } from '@azure/functions';
import { HTTP_ROUTES } from './routes';
import { routeHandler } from './_http';

// Reports and group lists are streamed, never buffered whole.
app.setup({ enableHttpStream: true });

for (const route of HTTP_ROUTES) {
  app.http(route.name, { route: route.route, methods: [...route.methods], authLevel: route.authLevel, handler: routeHandler(route) });
}
