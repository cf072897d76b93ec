public import Hummingbird

/// Turns every error into the one error shape. An error we did not expect is logged with its details and
/// answered with a generic 500 that reveals nothing about them.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let apiError = error.status == .notFound
                ? APIError(.notFound, code: "route.not_found", message: "no such route")
                : APIError(error.status, code: "http.\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
            return try apiError.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return try APIError(.internalServerError, code: "internal", message: "something went wrong; quote the request id")
                .response(from: request, context: context)
        }
    }
}
