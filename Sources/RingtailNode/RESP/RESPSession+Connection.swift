import NIOCore
import RingtailCrypto
import RingtailRESP
import Synchronization

/// Connection commands: HELLO, AUTH, SELECT, CLIENT.
extension RESPSession {
    /// `HELLO [protover [AUTH username password] [SETNAME name]]`: switches the protocol
    /// version, optionally authenticating and naming the connection first.
    func hello(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        var requested = version
        if command.count >= 2 {
            guard let number = command[1].respInt64() else {
                output.writeRESPError(RESPErrors.protocolVersionNotInteger)
                return .replied
            }
            guard let parsed = RESPVersion(rawValue: Int(clamping: number)) else {
                output.writeRESPError(RESPErrors.noProto)
                return .replied
            }
            requested = parsed
        }
        var credentials: (user: ByteBuffer, password: ByteBuffer)?
        var newName: ByteBuffer?
        var index = 2
        while index < command.count {
            let option = command[index]
            if option.respEqualsIgnoringCase("AUTH"), index + 2 < command.count {
                credentials = (command[index + 1], command[index + 2])
                index += 3
            } else if option.respEqualsIgnoringCase("SETNAME"), index + 1 < command.count {
                newName = command[index + 1]
                index += 2
            } else {
                output.writeRESPError("ERR Syntax error in HELLO option '\(String(buffer: option))'")
                return .replied
            }
        }
        if let credentials {
            guard checkCredentials(user: credentials.user, password: credentials.password) else {
                output.writeRESPError(RESPErrors.wrongPass)
                return .replied
            }
            authenticated = true
        }
        guard authenticated else {
            output.writeRESPError(RESPErrors.helloNeedsAuth)
            return .replied
        }
        if let newName {
            guard Self.isValidName(newName) else {
                output.writeRESPError(RESPErrors.badClientName)
                return .replied
            }
            name = newName.readableBytes == 0 ? nil : newName
        }
        version = requested
        output.writeRESPValue(.map([
            RESPValue.Pair(.bulkString("server"), .bulkString("ringtail")),
            RESPValue.Pair(.bulkString("version"), .bulkString(RESPServerInfo.redisVersion)),
            RESPValue.Pair(.bulkString("proto"), .integer(Int64(version.rawValue))),
            RESPValue.Pair(.bulkString("id"), .integer(clientID)),
            RESPValue.Pair(.bulkString("mode"), .bulkString("standalone")),
            RESPValue.Pair(.bulkString("role"), .bulkString("master")),
            RESPValue.Pair(.bulkString("modules"), .array([])),
        ]), version)
        return .replied
    }

    /// `AUTH password` or `AUTH username password`; only the user `default` exists.
    func auth(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        guard command.count <= 3 else {
            output.writeRESPError(RESPErrors.syntax)
            return .replied
        }
        if command.count == 2, server.password == nil {
            output.writeRESPError(RESPErrors.authWithoutPassword)
            return .replied
        }
        let user = command.count == 3 ? command[1] : ByteBuffer(string: "default")
        guard checkCredentials(user: user, password: command[command.count - 1]) else {
            output.writeRESPError(RESPErrors.wrongPass)
            return .replied
        }
        authenticated = true
        output.writeRESPOK()
        return .replied
    }

    func select(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        guard let index = command[1].respInt64(), index >= Int64(Int32.min), index <= Int64(Int32.max) else {
            output.writeRESPError(RESPErrors.notInteger)
            return .replied
        }
        if index == 0 { output.writeRESPOK() } else { output.writeRESPError(RESPErrors.dbIndexOutOfRange) }
        return .replied
    }

    /// CLIENT SETNAME, GETNAME, ID, SETINFO and HELP.
    func client(_ command: RESPCommand, into output: inout ByteBuffer, on eventLoop: any EventLoop) -> Outcome {
        let subcommand = command[1]
        func arity(_ expected: Int, _ fullName: String) -> Bool {
            if command.count == expected { return true }
            output.writeRESPError(RESPErrors.wrongArity(fullName))
            return false
        }
        if subcommand.respEqualsIgnoringCase("SETNAME") {
            guard arity(3, "client|setname") else { return .replied }
            guard Self.isValidName(command[2]) else {
                output.writeRESPError(RESPErrors.badClientName)
                return .replied
            }
            name = command[2].readableBytes == 0 ? nil : command[2]
            output.writeRESPOK()
        } else if subcommand.respEqualsIgnoringCase("GETNAME") {
            guard arity(2, "client|getname") else { return .replied }
            if let name { output.writeRESPBulkString(name) } else { output.writeRESPNull(version) }
        } else if subcommand.respEqualsIgnoringCase("ID") {
            guard arity(2, "client|id") else { return .replied }
            output.writeRESPInteger(clientID)
        } else if subcommand.respEqualsIgnoringCase("SETINFO") {
            guard arity(4, "client|setinfo") else { return .replied }
            let attribute = command[2]
            let isName = attribute.respEqualsIgnoringCase("LIB-NAME")
            guard isName || attribute.respEqualsIgnoringCase("LIB-VER") else {
                output.writeRESPError("ERR Unrecognized option '\(String(buffer: attribute))'")
                return .replied
            }
            guard Self.isValidName(command[3]) else {
                output.writeRESPError("ERR \(isName ? "lib-name" : "lib-ver") cannot contain spaces, newlines or special characters.")
                return .replied
            }
            if isName { libraryName = String(buffer: command[3]) } else { libraryVersion = String(buffer: command[3]) }
            output.writeRESPOK()
        } else if subcommand.respEqualsIgnoringCase("LIST") {
            return clientList(command, into: &output)
        } else if subcommand.respEqualsIgnoringCase("INFO") {
            guard arity(2, "client|info") else { return .replied }
            output.writeRESPVerbatimString(ByteBuffer(string: (record?.line(nowNanos: Self.nowNanos()) ?? "") + "\n"), version)
        } else if subcommand.respEqualsIgnoringCase("KILL") {
            return clientKill(command, into: &output, on: eventLoop)
        } else if subcommand.respEqualsIgnoringCase("HELP") {
            output.writeRESPValue(.array([
                "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GETNAME", "    Return the name of the current connection.",
                "ID", "    Return the ID of the current connection.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "LIST [TYPE NORMAL] [ID <id> ...]", "    One line per open connection of this node.",
                "INFO", "    The line of this connection.",
                "KILL <ip:port> | KILL [ID <id>] [ADDR <ip:port>] [LADDR <ip:port>] [SKIPME yes|no]", "    Closes the connections named.",
                "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
            ].map { RESPValue.simpleString($0) }), version)
        } else {
            output.writeRESPError(RESPErrors.unknownSubcommand(subcommand, of: "client"))
        }
        return .replied
    }

    /// Whether `user`/`password` are the `default` user's: with no password configured, any
    /// password is accepted for it, as Redis's passwordless default user does.
    private func checkCredentials(user: ByteBuffer, password: ByteBuffer) -> Bool {
        guard user.readableBytesView.elementsEqual("default".utf8) else {
            server.counters.failedAuthentications.add(1, ordering: .relaxed)
            return false
        }
        guard let expected = server.password else { return true }
        let matches = BLAKE2b.constantTimeEqual(Array(password.readableBytesView), Array(expected.utf8))
        if !matches { server.counters.failedAuthentications.add(1, ordering: .relaxed) }
        return matches
    }

    /// Redis's rule for client names: printable ASCII, no spaces.
    static func isValidName(_ name: ByteBuffer) -> Bool {
        name.readableBytesView.allSatisfy { $0 >= UInt8(ascii: "!") && $0 <= UInt8(ascii: "~") }
    }
}
