package io.smartrunner.http;

/** A client mistake, answered with its status and a one-line JSON error naming the field. */
final class ApiError extends RuntimeException {
    final int status;

    ApiError(int status, String message) {
        super(message);
        this.status = status;
    }
}
