/// What splitting a stream yields per step: a frame, or a frame-level error the stream
/// survived (`FrameError.isRecoverable`), which is answered and the stream read on.
public enum FrameOrFailure: Sendable {
    case frame(Frame)
    case failure(FrameError)
}
