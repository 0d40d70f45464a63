export namespace app {
	
	export class TrayStatus {
	    available: boolean;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new TrayStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.available = source["available"];
	        this.reason = source["reason"];
	    }
	}
	export class KeyStatus {
	    source: string;
	    keyring_available: boolean;
	    keyring_error: string;
	    legacy_file: string;
	    unchecked: boolean;
	    note?: string;
	    note_refused?: boolean;
	    refused?: string;
	
	    static createFrom(source: any = {}) {
	        return new KeyStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.source = source["source"];
	        this.keyring_available = source["keyring_available"];
	        this.keyring_error = source["keyring_error"];
	        this.legacy_file = source["legacy_file"];
	        this.unchecked = source["unchecked"];
	        this.note = source["note"];
	        this.note_refused = source["note_refused"];
	        this.refused = source["refused"];
	    }
	}
	export class BootInfo {
	    settings: settings.Settings;
	    key: KeyStatus;
	    version: string;
	    link: string;
	    tray: TrayStatus;
	    home: string;
	    dismissed: string[];
	
	    static createFrom(source: any = {}) {
	        return new BootInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.settings = this.convertValues(source["settings"], settings.Settings);
	        this.key = this.convertValues(source["key"], KeyStatus);
	        this.version = source["version"];
	        this.link = source["link"];
	        this.tray = this.convertValues(source["tray"], TrayStatus);
	        this.home = source["home"];
	        this.dismissed = source["dismissed"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CreateRequest {
	    name: string;
	    workdir: string;
	    window_ms: number;
	    min_prompts: number;
	    merger: string;
	    claude_path: string;
	    permission_mode: string;
	    claude_args: string;
	    approve: boolean;
	    permission_timeout_ms: number;
	    share_workspace: string;
	
	    static createFrom(source: any = {}) {
	        return new CreateRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.workdir = source["workdir"];
	        this.window_ms = source["window_ms"];
	        this.min_prompts = source["min_prompts"];
	        this.merger = source["merger"];
	        this.claude_path = source["claude_path"];
	        this.permission_mode = source["permission_mode"];
	        this.claude_args = source["claude_args"];
	        this.approve = source["approve"];
	        this.permission_timeout_ms = source["permission_timeout_ms"];
	        this.share_workspace = source["share_workspace"];
	    }
	}
	export class KeyCheck {
	    result: string;
	    text: string;
	    denied?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new KeyCheck(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.result = source["result"];
	        this.text = source["text"];
	        this.denied = source["denied"];
	    }
	}
	
	export class PromptAck {
	    id: string;
	    seq: number;
	
	    static createFrom(source: any = {}) {
	        return new PromptAck(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.seq = source["seq"];
	    }
	}

}

export namespace session {
	
	export class HistoryProgress {
	    have: number;
	    of: number;
	
	    static createFrom(source: any = {}) {
	        return new HistoryProgress(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.have = source["have"];
	        this.of = source["of"];
	    }
	}
	export class Status {
	    status: string;
	    attempt: number;
	    error: string;
	    retry_ms: number;
	    history?: HistoryProgress;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.status = source["status"];
	        this.attempt = source["attempt"];
	        this.error = source["error"];
	        this.retry_ms = source["retry_ms"];
	        this.history = this.convertValues(source["history"], HistoryProgress);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Info {
	    role: string;
	    you: wire.Member;
	    party: wire.PartyInfo;
	    invite: string;
	    viewer_invite: string;
	    state: wire.State;
	    asked_name?: string;
	    rejoined?: boolean;
	    viewer_kept?: string;
	    seat_not_back?: boolean;
	    not_kept?: string;
	    removed?: string;
	    status?: Status;
	    draft?: string;
	    merge_mode?: string;
	    share_fix?: string;
	
	    static createFrom(source: any = {}) {
	        return new Info(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.role = source["role"];
	        this.you = this.convertValues(source["you"], wire.Member);
	        this.party = this.convertValues(source["party"], wire.PartyInfo);
	        this.invite = source["invite"];
	        this.viewer_invite = source["viewer_invite"];
	        this.state = this.convertValues(source["state"], wire.State);
	        this.asked_name = source["asked_name"];
	        this.rejoined = source["rejoined"];
	        this.viewer_kept = source["viewer_kept"];
	        this.seat_not_back = source["seat_not_back"];
	        this.not_kept = source["not_kept"];
	        this.removed = source["removed"];
	        this.status = this.convertValues(source["status"], Status);
	        this.draft = source["draft"];
	        this.merge_mode = source["merge_mode"];
	        this.share_fix = source["share_fix"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class JoinedAs {
	    name: string;
	    role: string;
	
	    static createFrom(source: any = {}) {
	        return new JoinedAs(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.role = source["role"];
	    }
	}
	export class RecentParty {
	    id: string;
	    host: string;
	    // Go type: time
	    created: any;
	    // Go type: time
	    last_active: any;
	    turns: number;
	    state: string;
	    workdir: string;
	    workspace: string;
	    incomplete?: boolean;
	    lost_end?: boolean;
	    first_prompt?: string;
	    end_cut?: string;
	
	    static createFrom(source: any = {}) {
	        return new RecentParty(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.host = source["host"];
	        this.created = this.convertValues(source["created"], null);
	        this.last_active = this.convertValues(source["last_active"], null);
	        this.turns = source["turns"];
	        this.state = source["state"];
	        this.workdir = source["workdir"];
	        this.workspace = source["workspace"];
	        this.incomplete = source["incomplete"];
	        this.lost_end = source["lost_end"];
	        this.first_prompt = source["first_prompt"];
	        this.end_cut = source["end_cut"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class UnansweredPrompt {
	    user: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new UnansweredPrompt(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.user = source["user"];
	        this.text = source["text"];
	    }
	}
	export class Unanswered {
	    text: string;
	    prompts: UnansweredPrompt[];
	    turn?: string;
	    cut?: boolean;
	    turn_by?: string[];
	    approval?: boolean;
	    last_seq: number;
	
	    static createFrom(source: any = {}) {
	        return new Unanswered(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.prompts = this.convertValues(source["prompts"], UnansweredPrompt);
	        this.turn = source["turn"];
	        this.cut = source["cut"];
	        this.turn_by = source["turn_by"];
	        this.approval = source["approval"];
	        this.last_seq = source["last_seq"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace settings {
	
	export class Settings {
	    name: string;
	    workdir: string;
	    window_ms: number;
	    min_prompts: number;
	    merger: string;
	    claude_path: string;
	    claude_args: string;
	    permission_mode: string;
	    approve: boolean;
	    permission_timeout_ms: number;
	    share_workspace: string;
	    listen: string;
	    public_host: string;
	    notifications: boolean;
	    zoom: number;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.workdir = source["workdir"];
	        this.window_ms = source["window_ms"];
	        this.min_prompts = source["min_prompts"];
	        this.merger = source["merger"];
	        this.claude_path = source["claude_path"];
	        this.claude_args = source["claude_args"];
	        this.permission_mode = source["permission_mode"];
	        this.approve = source["approve"];
	        this.permission_timeout_ms = source["permission_timeout_ms"];
	        this.share_workspace = source["share_workspace"];
	        this.listen = source["listen"];
	        this.public_host = source["public_host"];
	        this.notifications = source["notifications"];
	        this.zoom = source["zoom"];
	    }
	}

}

export namespace wire {
	
	export class Approval {
	    batch: string;
	    prompts: string[];
	    merged: string;
	    merger: string;
	
	    static createFrom(source: any = {}) {
	        return new Approval(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.batch = source["batch"];
	        this.prompts = source["prompts"];
	        this.merged = source["merged"];
	        this.merger = source["merger"];
	    }
	}
	export class Batch {
	    id: string;
	    prompts: string[];
	    merged: string;
	    merger: string;
	    edited_by?: string;
	    edited_by_member?: string;
	    sent?: string;
	
	    static createFrom(source: any = {}) {
	        return new Batch(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.prompts = source["prompts"];
	        this.merged = source["merged"];
	        this.merger = source["merger"];
	        this.edited_by = source["edited_by"];
	        this.edited_by_member = source["edited_by_member"];
	        this.sent = source["sent"];
	    }
	}
	export class FileChange {
	    path: string;
	    status: string;
	    from?: string;
	    additions: number;
	    deletions: number;
	    binary?: boolean;
	    large?: boolean;
	    link?: boolean;
	    rev?: string;
	
	    static createFrom(source: any = {}) {
	        return new FileChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.status = source["status"];
	        this.from = source["from"];
	        this.additions = source["additions"];
	        this.deletions = source["deletions"];
	        this.binary = source["binary"];
	        this.large = source["large"];
	        this.link = source["link"];
	        this.rev = source["rev"];
	    }
	}
	export class ChangesResult {
	    files: FileChange[];
	    base: string;
	    hidden?: number;
	    more?: number;
	
	    static createFrom(source: any = {}) {
	        return new ChangesResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.files = this.convertValues(source["files"], FileChange);
	        this.base = source["base"];
	        this.hidden = source["hidden"];
	        this.more = source["more"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Withdrawn {
	    prompt: string;
	    user: string;
	    by: string;
	    by_member?: string;
	    resumed?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Withdrawn(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.prompt = source["prompt"];
	        this.user = source["user"];
	        this.by = source["by"];
	        this.by_member = source["by_member"];
	        this.resumed = source["resumed"];
	    }
	}
	export class Permission {
	    id: string;
	    tool: string;
	    summary: string;
	    batch: string;
	    status: string;
	    by?: string;
	    by_member?: string;
	    reason?: string;
	    detail?: string;
	    // Go type: time
	    expires?: any;
	    uncovered?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Permission(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.tool = source["tool"];
	        this.summary = source["summary"];
	        this.batch = source["batch"];
	        this.status = source["status"];
	        this.by = source["by"];
	        this.by_member = source["by_member"];
	        this.reason = source["reason"];
	        this.detail = source["detail"];
	        this.expires = this.convertValues(source["expires"], null);
	        this.uncovered = source["uncovered"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Rejected {
	    batch: string;
	    prompts: string[];
	    by: string;
	    by_member?: string;
	    reason?: string;
	
	    static createFrom(source: any = {}) {
	        return new Rejected(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.batch = source["batch"];
	        this.prompts = source["prompts"];
	        this.by = source["by"];
	        this.by_member = source["by_member"];
	        this.reason = source["reason"];
	    }
	}
	export class Turn {
	    batch: string;
	    status: string;
	    duration_ms: number;
	    error?: string;
	    denied?: number;
	    unsent?: boolean;
	    agent_down?: boolean;
	    by_member?: string;
	
	    static createFrom(source: any = {}) {
	        return new Turn(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.batch = source["batch"];
	        this.status = source["status"];
	        this.duration_ms = source["duration_ms"];
	        this.error = source["error"];
	        this.denied = source["denied"];
	        this.unsent = source["unsent"];
	        this.agent_down = source["agent_down"];
	        this.by_member = source["by_member"];
	    }
	}
	export class Prompt {
	    id: string;
	    user: string;
	    text: string;
	    member?: string;
	
	    static createFrom(source: any = {}) {
	        return new Prompt(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.user = source["user"];
	        this.text = source["text"];
	        this.member = source["member"];
	    }
	}
	export class Member {
	    id: string;
	    name: string;
	    role: string;
	    session?: string;
	
	    static createFrom(source: any = {}) {
	        return new Member(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.role = source["role"];
	        this.session = source["session"];
	    }
	}
	export class Event {
	    seq: number;
	    first_seq?: number;
	    // Go type: time
	    ts: any;
	    kind: string;
	    joined?: Member;
	    left?: Member;
	    changed?: Member;
	    count?: number;
	    text?: string;
	    by?: string;
	    by_member?: string;
	    about?: string;
	    about_member?: string;
	    why?: string;
	    stream?: string;
	    prompt?: Prompt;
	    phase?: string;
	    batch?: Batch;
	    turn?: Turn;
	    resumed?: boolean;
	    ran_ms?: number;
	    approval?: Approval;
	    rejected?: Rejected;
	    permission?: Permission;
	    withdrawn?: Withdrawn;
	    hidden?: number;
	    more?: number;
	    tree_only?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Event(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.first_seq = source["first_seq"];
	        this.ts = this.convertValues(source["ts"], null);
	        this.kind = source["kind"];
	        this.joined = this.convertValues(source["joined"], Member);
	        this.left = this.convertValues(source["left"], Member);
	        this.changed = this.convertValues(source["changed"], Member);
	        this.count = source["count"];
	        this.text = source["text"];
	        this.by = source["by"];
	        this.by_member = source["by_member"];
	        this.about = source["about"];
	        this.about_member = source["about_member"];
	        this.why = source["why"];
	        this.stream = source["stream"];
	        this.prompt = this.convertValues(source["prompt"], Prompt);
	        this.phase = source["phase"];
	        this.batch = this.convertValues(source["batch"], Batch);
	        this.turn = this.convertValues(source["turn"], Turn);
	        this.resumed = source["resumed"];
	        this.ran_ms = source["ran_ms"];
	        this.approval = this.convertValues(source["approval"], Approval);
	        this.rejected = this.convertValues(source["rejected"], Rejected);
	        this.permission = this.convertValues(source["permission"], Permission);
	        this.withdrawn = this.convertValues(source["withdrawn"], Withdrawn);
	        this.hidden = source["hidden"];
	        this.more = source["more"];
	        this.tree_only = source["tree_only"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class FileDiff {
	    path: string;
	    diff: string;
	    truncated: boolean;
	    binary: boolean;
	
	    static createFrom(source: any = {}) {
	        return new FileDiff(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.diff = source["diff"];
	        this.truncated = source["truncated"];
	        this.binary = source["binary"];
	    }
	}
	export class Invites {
	    invite: string;
	    viewer_invite: string;
	    host_invite?: string;
	
	    static createFrom(source: any = {}) {
	        return new Invites(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.invite = source["invite"];
	        this.viewer_invite = source["viewer_invite"];
	        this.host_invite = source["host_invite"];
	    }
	}
	
	export class PartyInfo {
	    id: string;
	    host: string;
	    window_ms: number;
	    min_prompts: number;
	    merger: string;
	    agent: string;
	    approval: boolean;
	    permission_mode: string;
	    workspace: string;
	    cannot_share?: boolean;
	    share_error?: string;
	    share_pending?: boolean;
	    always: string[];
	    permission_timeout_ms?: number;
	
	    static createFrom(source: any = {}) {
	        return new PartyInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.host = source["host"];
	        this.window_ms = source["window_ms"];
	        this.min_prompts = source["min_prompts"];
	        this.merger = source["merger"];
	        this.agent = source["agent"];
	        this.approval = source["approval"];
	        this.permission_mode = source["permission_mode"];
	        this.workspace = source["workspace"];
	        this.cannot_share = source["cannot_share"];
	        this.share_error = source["share_error"];
	        this.share_pending = source["share_pending"];
	        this.always = source["always"];
	        this.permission_timeout_ms = source["permission_timeout_ms"];
	    }
	}
	
	
	
	export class Settings {
	    approval: boolean;
	    permission_mode: string;
	    workspace?: string;
	    always: string[];
	    merger?: string;
	    share_error?: string;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.approval = source["approval"];
	        this.permission_mode = source["permission_mode"];
	        this.workspace = source["workspace"];
	        this.always = source["always"];
	        this.merger = source["merger"];
	        this.share_error = source["share_error"];
	    }
	}
	export class State {
	    seq: number;
	    phase: string;
	    participants: Member[];
	    pending: Prompt[];
	    events: Event[];
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new State(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.phase = source["phase"];
	        this.participants = this.convertValues(source["participants"], Member);
	        this.pending = this.convertValues(source["pending"], Prompt);
	        this.events = this.convertValues(source["events"], Event);
	        this.truncated = source["truncated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TreeEntry {
	    name: string;
	    dir: boolean;
	    size: number;
	    link?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new TreeEntry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.dir = source["dir"];
	        this.size = source["size"];
	        this.link = source["link"];
	    }
	}
	export class TreeResult {
	    entries: TreeEntry[];
	
	    static createFrom(source: any = {}) {
	        return new TreeResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.entries = this.convertValues(source["entries"], TreeEntry);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	

}

