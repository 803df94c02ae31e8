package io.smartrunner.http;

/** A client mistake, answered with its status and a one-line JSON error naming the field. */
final class ApiError extends RuntimeException {
    final int status;
    /** The {@code Allow} header of a 405; null = none. */
    final String allow;

    ApiError(int status, String message) {
        this(status, message, null);
    }

    ApiError(int status, String message, String allow) {
        super(message);
        this.status = status;
        this.allow = allow;
    }

    static ApiError methodNotAllowed(String message, String allow) {
        return new ApiError(405, message, allow);
    }
}
