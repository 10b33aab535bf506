var R=globalThis,M=R.ShadowRoot&&(R.ShadyCSS===void 0||R.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,z=Symbol(),at=new WeakMap,E=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==z)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(M&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=at.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&at.set(e,t))}return t}toString(){return this.cssText}},lt=i=>new E(typeof i=="string"?i:i+"",void 0,z),j=(i,...t)=>{let e=i.length===1?i[0]:t.reduce((s,n,r)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(n)+i[r+1],i[0]);return new E(e,i,z)},ct=(i,t)=>{if(M)i.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),n=R.litNonce;n!==void 0&&s.setAttribute("nonce",n),s.textContent=e.cssText,i.appendChild(s)}},B=M?i=>i:i=>i instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return lt(e)})(i):i;var{is:It,defineProperty:Lt,getOwnPropertyDescriptor:Ft,getOwnPropertyNames:Wt,getOwnPropertySymbols:zt,getPrototypeOf:jt}=Object,D=globalThis,dt=D.trustedTypes,Bt=dt?dt.emptyScript:"",Vt=D.reactiveElementPolyfillSupport,C=(i,t)=>i,V={toAttribute(i,t){switch(t){case Boolean:i=i?Bt:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,t){let e=i;switch(t){case Boolean:e=i!==null;break;case Number:e=i===null?null:Number(i);break;case Object:case Array:try{e=JSON.parse(i)}catch{e=null}}return e}},ut=(i,t)=>!It(i,t),ht={attribute:!0,type:String,converter:V,reflect:!1,useDefault:!1,hasChanged:ut};Symbol.metadata??=Symbol("metadata"),D.litPropertyMetadata??=new WeakMap;var _=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=ht){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),n=this.getPropertyDescriptor(t,s,e);n!==void 0&&Lt(this.prototype,t,n)}}static getPropertyDescriptor(t,e,s){let{get:n,set:r}=Ft(this.prototype,t)??{get(){return this[e]},set(o){this[e]=o}};return{get:n,set(o){let c=n?.call(this);r?.call(this,o),this.requestUpdate(t,c,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??ht}static _$Ei(){if(this.hasOwnProperty(C("elementProperties")))return;let t=jt(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(C("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(C("properties"))){let e=this.properties,s=[...Wt(e),...zt(e)];for(let n of s)this.createProperty(n,e[n])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,n]of e)this.elementProperties.set(s,n)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let n=this._$Eu(e,s);n!==void 0&&this._$Eh.set(n,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let n of s)e.unshift(B(n))}else t!==void 0&&e.push(B(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ct(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),n=this.constructor._$Eu(t,s);if(n!==void 0&&s.reflect===!0){let r=(s.converter?.toAttribute!==void 0?s.converter:V).toAttribute(e,s.type);this._$Em=t,r==null?this.removeAttribute(n):this.setAttribute(n,r),this._$Em=null}}_$AK(t,e){let s=this.constructor,n=s._$Eh.get(t);if(n!==void 0&&this._$Em!==n){let r=s.getPropertyOptions(n),o=typeof r.converter=="function"?{fromAttribute:r.converter}:r.converter?.fromAttribute!==void 0?r.converter:V;this._$Em=n;let c=o.fromAttribute(e,r.type);this[n]=c??this._$Ej?.get(n)??c,this._$Em=null}}requestUpdate(t,e,s,n=!1,r){if(t!==void 0){let o=this.constructor;if(n===!1&&(r=this[t]),s??=o.getPropertyOptions(t),!((s.hasChanged??ut)(r,e)||s.useDefault&&s.reflect&&r===this._$Ej?.get(t)&&!this.hasAttribute(o._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:n,wrapped:r},o){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,o??e??this[t]),r!==!0||o!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),n===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[n,r]of this._$Ep)this[n]=r;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[n,r]of s){let{wrapped:o}=r,c=this[n];o!==!0||this._$AL.has(n)||c===void 0||this.C(n,void 0,r,c)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};_.elementStyles=[],_.shadowRootOptions={mode:"open"},_[C("elementProperties")]=new Map,_[C("finalized")]=new Map,Vt?.({ReactiveElement:_}),(D.reactiveElementVersions??=[]).push("2.1.2");var Q=globalThis,pt=i=>i,I=Q.trustedTypes,mt=I?I.createPolicy("lit-html",{createHTML:i=>i}):void 0,vt="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,bt="?"+y,qt=`<${bt}>`,A=document,P=()=>A.createComment(""),O=i=>i===null||typeof i!="object"&&typeof i!="function",Y=Array.isArray,Kt=i=>Y(i)||typeof i?.[Symbol.iterator]=="function",q=`[ 	
\f\r]`,H=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ft=/-->/g,gt=/>/g,v=RegExp(`>|${q}(?:([^\\s"'>=/]+)(${q}*=${q}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),_t=/'/g,$t=/"/g,At=/^(?:script|style|textarea|title)$/i,tt=i=>(t,...e)=>({_$litType$:i,strings:t,values:e}),m=tt(1),ae=tt(2),le=tt(3),w=Symbol.for("lit-noChange"),l=Symbol.for("lit-nothing"),yt=new WeakMap,b=A.createTreeWalker(A,129);function wt(i,t){if(!Y(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return mt!==void 0?mt.createHTML(t):t}var Zt=(i,t)=>{let e=i.length-1,s=[],n,r=t===2?"<svg>":t===3?"<math>":"",o=H;for(let c=0;c<e;c++){let a=i[c],h,p,d=-1,g=0;for(;g<a.length&&(o.lastIndex=g,p=o.exec(a),p!==null);)g=o.lastIndex,o===H?p[1]==="!--"?o=ft:p[1]!==void 0?o=gt:p[2]!==void 0?(At.test(p[2])&&(n=RegExp("</"+p[2],"g")),o=v):p[3]!==void 0&&(o=v):o===v?p[0]===">"?(o=n??H,d=-1):p[1]===void 0?d=-2:(d=o.lastIndex-p[2].length,h=p[1],o=p[3]===void 0?v:p[3]==='"'?$t:_t):o===$t||o===_t?o=v:o===ft||o===gt?o=H:(o=v,n=void 0);let $=o===v&&i[c+1].startsWith("/>")?" ":"";r+=o===H?a+qt:d>=0?(s.push(h),a.slice(0,d)+vt+a.slice(d)+y+$):a+y+(d===-2?c:$)}return[wt(i,r+(i[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},k=class i{constructor({strings:t,_$litType$:e},s){let n;this.parts=[];let r=0,o=0,c=t.length-1,a=this.parts,[h,p]=Zt(t,e);if(this.el=i.createElement(h,s),b.currentNode=this.el.content,e===2||e===3){let d=this.el.content.firstChild;d.replaceWith(...d.childNodes)}for(;(n=b.nextNode())!==null&&a.length<c;){if(n.nodeType===1){if(n.hasAttributes())for(let d of n.getAttributeNames())if(d.endsWith(vt)){let g=p[o++],$=n.getAttribute(d).split(y),U=/([.?@])?(.*)/.exec(g);a.push({type:1,index:r,name:U[2],strings:$,ctor:U[1]==="."?Z:U[1]==="?"?J:U[1]==="@"?X:S}),n.removeAttribute(d)}else d.startsWith(y)&&(a.push({type:6,index:r}),n.removeAttribute(d));if(At.test(n.tagName)){let d=n.textContent.split(y),g=d.length-1;if(g>0){n.textContent=I?I.emptyScript:"";for(let $=0;$<g;$++)n.append(d[$],P()),b.nextNode(),a.push({type:2,index:++r});n.append(d[g],P())}}}else if(n.nodeType===8)if(n.data===bt)a.push({type:2,index:r});else{let d=-1;for(;(d=n.data.indexOf(y,d+1))!==-1;)a.push({type:7,index:r}),d+=y.length-1}r++}}static createElement(t,e){let s=A.createElement("template");return s.innerHTML=t,s}};function x(i,t,e=i,s){if(t===w)return t;let n=s!==void 0?e._$Co?.[s]:e._$Cl,r=O(t)?void 0:t._$litDirective$;return n?.constructor!==r&&(n?._$AO?.(!1),r===void 0?n=void 0:(n=new r(i),n._$AT(i,e,s)),s!==void 0?(e._$Co??=[])[s]=n:e._$Cl=n),n!==void 0&&(t=x(i,n._$AS(i,t.values),n,s)),t}var K=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,n=(t?.creationScope??A).importNode(e,!0);b.currentNode=n;let r=b.nextNode(),o=0,c=0,a=s[0];for(;a!==void 0;){if(o===a.index){let h;a.type===2?h=new T(r,r.nextSibling,this,t):a.type===1?h=new a.ctor(r,a.name,a.strings,this,t):a.type===6&&(h=new G(r,this,t)),this._$AV.push(h),a=s[++c]}o!==a?.index&&(r=b.nextNode(),o++)}return b.currentNode=A,n}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},T=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,n){this.type=2,this._$AH=l,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=n,this._$Cv=n?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=x(this,t,e),O(t)?t===l||t==null||t===""?(this._$AH!==l&&this._$AR(),this._$AH=l):t!==this._$AH&&t!==w&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Kt(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==l&&O(this._$AH)?this._$AA.nextSibling.data=t:this.T(A.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,n=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=k.createElement(wt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===n)this._$AH.p(e);else{let r=new K(n,this),o=r.u(this.options);r.p(e),this.T(o),this._$AH=r}}_$AC(t){let e=yt.get(t.strings);return e===void 0&&yt.set(t.strings,e=new k(t)),e}k(t){Y(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,n=0;for(let r of t)n===e.length?e.push(s=new i(this.O(P()),this.O(P()),this,this.options)):s=e[n],s._$AI(r),n++;n<e.length&&(this._$AR(s&&s._$AB.nextSibling,n),e.length=n)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=pt(t).nextSibling;pt(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},S=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,n,r){this.type=1,this._$AH=l,this._$AN=void 0,this.element=t,this.name=e,this._$AM=n,this.options=r,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=l}_$AI(t,e=this,s,n){let r=this.strings,o=!1;if(r===void 0)t=x(this,t,e,0),o=!O(t)||t!==this._$AH&&t!==w,o&&(this._$AH=t);else{let c=t,a,h;for(t=r[0],a=0;a<r.length-1;a++)h=x(this,c[s+a],e,a),h===w&&(h=this._$AH[a]),o||=!O(h)||h!==this._$AH[a],h===l?t=l:t!==l&&(t+=(h??"")+r[a+1]),this._$AH[a]=h}o&&!n&&this.j(t)}j(t){t===l?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},Z=class extends S{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===l?void 0:t}},J=class extends S{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==l)}},X=class extends S{constructor(t,e,s,n,r){super(t,e,s,n,r),this.type=5}_$AI(t,e=this){if((t=x(this,t,e,0)??l)===w)return;let s=this._$AH,n=t===l&&s!==l||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,r=t!==l&&(s===l||n);n&&this.element.removeEventListener(this.name,this,s),r&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},G=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){x(this,t)}};var Jt=Q.litHtmlPolyfillSupport;Jt?.(k,T),(Q.litHtmlVersions??=[]).push("3.3.3");var xt=(i,t,e)=>{let s=e?.renderBefore??t,n=s._$litPart$;if(n===void 0){let r=e?.renderBefore??null;s._$litPart$=n=new T(t.insertBefore(P(),r),r,void 0,e??{})}return n._$AI(i),n};var et=globalThis,f=class extends _{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=xt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return w}};f._$litElement$=!0,f.finalized=!0,et.litElementHydrateSupport?.({LitElement:f});var Xt=et.litElementPolyfillSupport;Xt?.({LitElement:f});(et.litElementVersions??=[]).push("4.2.2");function L(i){return i.locale?.language??i.language??navigator.language}function F(i,t){return t==null?"—":new Intl.NumberFormat(L(i),{minimumFractionDigits:2,maximumFractionDigits:2}).format(t/1e3)}function St(i,t){return t==null?"—":`${new Intl.NumberFormat(L(i),{maximumFractionDigits:1}).format(t/1e3)} kW`}function Gt(i,t,e,s,n){if(t===null)return"—";try{return new Intl.NumberFormat(L(i),{style:"currency",currency:e||"EUR",...s}).format(t)}catch{return`${t.toFixed(n)} ${e??""}`.trim()}}function st(i,t,e){return Gt(i,t,e,{},2)}function Et(i){return i.config?.time_zone||void 0}function Ct(i,t){return t?new Intl.DateTimeFormat(L(i),{dateStyle:"short",timeStyle:"short",timeZone:Et(i)}).format(new Date(t)):"—"}function nt(i){if(i==null)return"—";let t=Math.max(0,Math.round(i/60)),e=Math.floor(t/60),s=t%60;return`${e}:${String(s).padStart(2,"0")} h`}function Ht(i,t=new Date){let e=new Intl.DateTimeFormat("en-CA",{timeZone:Et(i),year:"numeric",month:"2-digit",day:"2-digit"}).formatToParts(t),s=n=>e.find(r=>r.type===n)?.value??"";return`${s("year")}-${s("month")}-${s("day")}`}function Pt(i,t=0){let e=new Date(`${i.slice(0,7)}-01T00:00:00Z`);return e.setUTCMonth(e.getUTCMonth()+t),e.toISOString().slice(0,10)}function Ot(i){return`${i}T00:00:00`}function kt(i){return i&&typeof i=="object"&&"message"in i?String(i.message):String(i)}var N="ev_session_monitor";var Qt=new Set(["charger_status","power","session_energy","session_cost","session_duration","time_to_full","last_tag","charging_enabled","charging_current","last_session_energy","last_session_duration"]);function Tt(i,t){let e={};for(let s of Object.values(i.entities)){let n=s?.translation_key;s&&s.device_id===t&&s.platform===N&&n&&Qt.has(n)&&(e[n]=s.entity_id)}return e}function Nt(i){return Object.values(i.entities).find(t=>t?.platform===N&&t.translation_key==="charger_status"&&t.device_id)?.device_id}function Ut(i){return i.name_by_user||i.name||""}function Rt(i){return i.primary_config_entry??i.config_entries[0]}var Mt={name:"EV charging session",description:"A wallbox of EV Session Monitor: status, live power, the running session, controls, the last sessions and this month's totals.",no_device:"Pick a wallbox in the card's settings.",device_gone:"This wallbox is no longer set up.",unavailable:"Not reachable",power:"Power",energy:"Energy",cost:"Cost",duration:"Duration",time_to_full:"Time to full",who:"Charging",no_session:"No session running",enabled:"Charging allowed",current:"Current",month:"This month",month_sessions:"{count} sessions",recent:"Last sessions",recent_empty:"No session yet.",untagged:"Without card",error:"Could not load the sessions: {message}",editor_device_id:"Wallbox",editor_sessions:"Last sessions shown"};function u(i,t={}){return Mt[i].replace(/\{(\w+)\}/g,(e,s)=>s in t?String(t[s]):e)}var te=[{name:"device_id",required:!0,selector:{device:{filter:{integration:N},entity:{integration:N,domain:"sensor",device_class:"enum"}}}},{name:"sessions",selector:{number:{min:0,max:10,mode:"box"}}}];async function ee(){if(customElements.get("ha-form"))return;let i=window.loadCardHelpers;if(!i)return;await(await(await i()).createCardElement({type:"entity"})).constructor.getConfigElement?.()}var it=class extends f{static{this.properties={hass:{attribute:!1},config:{state:!0},formReady:{state:!0}}}constructor(){super(),this.formReady=!!customElements.get("ha-form"),this.formReady||ee().then(()=>customElements.whenDefined("ha-form")).then(()=>this.formReady=!0)}setConfig(t){this.config=t}changed(t){t.stopPropagation();let e={...this.config,...t.detail.value};this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:e},bubbles:!0,composed:!0}))}render(){return!this.hass||!this.config||!this.formReady?l:m`<ha-form
      .hass=${this.hass}
      .data=${{sessions:3,...this.config}}
      .schema=${te}
      .computeLabel=${t=>u(`editor_${t.name}`)}
      @value-changed=${this.changed}
    ></ha-form>`}};customElements.get("ev-session-card-editor")||customElements.define("ev-session-card-editor",it);var W="ev-session-card",Dt=new Set(["unknown","unavailable"]);function se(i){return Ot(Pt(Ht(i)))}var ot=class extends f{constructor(){super(...arguments);this.permissionsAsked=!1;this.loadedFor="";this.entities={}}static{this.properties={hass:{attribute:!1},config:{state:!0},recent:{state:!0},month:{state:!0},error:{state:!0},denied:{state:!0}}}static getConfigElement(){return document.createElement("ev-session-card-editor")}static getStubConfig(e){return{type:`custom:${W}`,device_id:Nt(e)??""}}setConfig(e){if(e.sessions!==void 0&&!(Number.isInteger(e.sessions)&&e.sessions>=0))throw new Error("sessions must be a whole number, 0 or more");this.config=e,this.entitiesOf=void 0,this.loadedFor=""}getCardSize(){return 6+Math.min(this.sessionCount(),5)}sessionCount(){return this.config?.sessions??3}stateOf(e){let s=this.entities[e];return s?this.hass?.states[s]:void 0}number(e){let s=this.stateOf(e);if(!s||Dt.has(s.state))return null;let n=Number(s.state);return Number.isFinite(n)?n:null}shown(e){return!e||Dt.has(e.state)?"—":this.hass?.formatEntityState?.(e)??e.state}willUpdate(e){let s=this.hass,n=this.config?.device_id;if(!s||!n)return;this.permissionsAsked||(this.permissionsAsked=!0,this.loadPermissions(s)),(e.has("config")||this.entitiesOf!==s.entities)&&(this.entitiesOf=s.entities,this.entities=Tt(s,n));let r=s.devices[n],o=r&&Rt(r);if(!o)return;let c=[this.stateOf("last_session_energy"),this.stateOf("last_session_duration")].map(h=>h?.last_changed??"").join("|"),a=`${o}|${this.sessionCount()}|${c}`;a!==this.loadedFor&&(this.loadedFor=a,this.loadHistory(s,o))}async loadHistory(e,s){let n={config_entry_id:[s]},r=this.sessionCount();try{let[o,c]=await Promise.all([r>0?e.callWS({type:"ev_session_monitor/sessions",...n,limit:r}):Promise.resolve({sessions:[]}),e.callWS({type:"ev_session_monitor/totals",...n,start:se(e)})]);this.recent=o.sessions,this.month=c.summary,this.error=void 0}catch(o){this.error=kt(o)}}async loadPermissions(e){try{let s=await e.callWS({type:"ev_session_monitor/permissions"});this.denied=new Set(s.controls_denied_entities??[])}catch{this.denied=new Set}}control(e){let s=this.entities[e];return s&&this.denied?.has(s)?void 0:this.stateOf(e)}toggle(e){let s=this.entities.charging_enabled,n=e.target.checked;s&&this.hass?.callService("switch",n?"turn_on":"turn_off",{entity_id:s})}setCurrent(e){let s=this.entities.charging_current,n=Number(e.target.value);s&&this.hass?.callService("number","set_value",{entity_id:s,value:n})}controls(){let e=this.control("charging_enabled"),s=this.control("charging_current");if(!e&&!s)return l;let n=s?.attributes??{},r=this.number("charging_current");return m`<div class="controls">
      ${e?m`<label class="row enable">
            <span>${u("enabled")}</span>
            <input
              type="checkbox"
              role="switch"
              .checked=${e.state==="on"}
              ?disabled=${e.state==="unavailable"}
              @change=${this.toggle}
            />
          </label>`:l}
      ${s?m`<label class="row current">
            <span>${u("current")}</span>
            <input
              type="range"
              min=${Number(n.min??6)}
              max=${Number(n.max??32)}
              step=${Number(n.step??1)}
              .value=${String(r??n.min??6)}
              ?disabled=${s.state==="unavailable"}
              @change=${this.setCurrent}
            />
            <output>${r===null?"—":`${r} A`}</output>
          </label>`:l}
    </div>`}history(e){let s=this.month,n=s&&Object.keys(s.cost)[0];return m`
      ${this.error?m`<p class="error">${u("error",{message:this.error})}</p>`:l}
      ${s?m`<div class="month">
            <span class="label">${u("month")}</span>
            <span class="figures"
              ><b class="month-energy">${F(e,s.energy_wh)} kWh</b> ·
              <b class="month-cost">${n!==void 0?st(e,s.cost[n],n):"—"}</b>
              · <span class="month-sessions">${u("month_sessions",{count:s.sessions})}</span></span
            >
          </div>`:l}
      ${this.sessionCount()>0&&this.recent?m`<div class="recent">
            <span class="label">${u("recent")}</span>
            ${this.recent.length===0?m`<p class="muted">${u("recent_empty")}</p>`:l}
            ${this.recent.map(r=>m`<div class="session">
                <span class="when">${Ct(e,r.started_at)}</span>
                <span class="tag">${r.tag_name??r.tag_id??u("untagged")}</span>
                <span class="num">${F(e,r.energy_wh)} kWh</span>
                <span class="num">${st(e,r.cost,r.currency)}</span>
              </div>`)}
          </div>`:l}
    `}render(){let e=this.hass;if(!e||!this.config)return l;let s=this.config.device_id,n=s?e.devices[s]:void 0;if(!n)return m`<ha-card><p class="hint">${u(s?"device_gone":"no_device")}</p></ha-card>`;let r=this.stateOf("charger_status"),o=r!==void 0&&r.state!=="unavailable",c=this.number("session_duration"),a=c!==null,h=this.number("time_to_full"),p=this.number("session_energy");return m`<ha-card>
      <div class="head">
        <h2>${Ut(n)}</h2>
        <span class="status" data-state=${r?.state??""}>${o?this.shown(r):u("unavailable")}</span>
      </div>
      <div class="power" title=${u("power")}>${St(e,this.number("power"))}</div>
      ${a?m`<div class="stats">
            <div><span class="label">${u("energy")}</span><b class="energy">${F(e,p===null?null:p*1e3)} kWh</b></div>
            <div><span class="label">${u("cost")}</span><b class="cost">${this.shown(this.stateOf("session_cost"))}</b></div>
            <div><span class="label">${u("duration")}</span><b class="duration">${nt(c*60)}</b></div>
            <div><span class="label">${u("time_to_full")}</span><b class="to-full">${h===null?"—":nt(h*60)}</b></div>
            <div><span class="label">${u("who")}</span><b class="who">${this.shown(this.stateOf("last_tag"))}</b></div>
          </div>`:m`<p class="muted idle">${u("no_session")}</p>`}
      ${this.controls()} ${this.history(e)}
    </ha-card>`}static{this.styles=j`
    ha-card {
      padding: 16px;
      color: var(--primary-text-color);
    }
    .head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
    }
    h2 {
      margin: 0;
      font-size: var(--ha-card-header-font-size, 1.2em);
      font-weight: 500;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .status {
      flex: none;
      padding: 2px 10px;
      border-radius: 12px;
      font-size: 0.85em;
      background: var(--secondary-background-color);
    }
    .status[data-state="charging"] {
      color: var(--text-primary-color);
      background: var(--success-color, var(--primary-color));
    }
    .status[data-state="error"] {
      color: var(--text-primary-color);
      background: var(--error-color);
    }
    .power {
      font-size: 2.2em;
      font-weight: 300;
      margin: 8px 0;
    }
    .stats {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(90px, 1fr));
      gap: 8px;
    }
    .stats div {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .label {
      color: var(--secondary-text-color);
      font-size: 0.8em;
    }
    b {
      font-weight: 500;
      overflow-wrap: anywhere;
    }
    .muted,
    .hint {
      color: var(--secondary-text-color);
      margin: 4px 0;
    }
    .error {
      color: var(--error-color);
    }
    .controls,
    .month,
    .recent {
      border-top: 1px solid var(--divider-color);
      margin-top: 12px;
      padding-top: 8px;
    }
    .row {
      display: flex;
      align-items: center;
      gap: 12px;
      min-height: 40px;
    }
    .row span {
      flex: 1;
    }
    input {
      accent-color: var(--primary-color);
      margin: 0;
    }
    /* A switch drawn from theme colours: HA's own ha-switch may not be loaded on every page. */
    input[role="switch"] {
      appearance: none;
      position: relative;
      flex: none;
      width: 36px;
      height: 20px;
      border-radius: 10px;
      background: var(--disabled-color, #bdbdbd);
      cursor: pointer;
      transition: background 0.2s;
    }
    input[role="switch"]::before {
      content: "";
      position: absolute;
      top: 2px;
      left: 2px;
      width: 16px;
      height: 16px;
      border-radius: 50%;
      background: var(--card-background-color, #fff);
      transition: transform 0.2s;
    }
    input[role="switch"]:checked {
      background: var(--primary-color);
    }
    input[role="switch"]:checked::before {
      transform: translateX(16px);
    }
    input:disabled {
      opacity: 0.5;
      cursor: default;
    }
    input[type="range"] {
      appearance: none;
      flex: 2;
      min-width: 0;
      height: 4px;
      border-radius: 2px;
      background: var(--divider-color);
    }
    input[type="range"]::-webkit-slider-thumb {
      appearance: none;
      width: 16px;
      height: 16px;
      border-radius: 50%;
      background: var(--primary-color);
      cursor: pointer;
    }
    input[type="range"]::-moz-range-thumb {
      width: 16px;
      height: 16px;
      border: none;
      border-radius: 50%;
      background: var(--primary-color);
    }
    output {
      min-width: 3.5em;
      text-align: right;
    }
    .month {
      display: flex;
      flex-direction: column;
    }
    .session {
      display: grid;
      grid-template-columns: auto 1fr auto auto;
      gap: 8px;
      padding: 4px 0;
      font-size: 0.9em;
    }
    .session span {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .num {
      text-align: right;
    }
  `}};if(!customElements.get(W)){customElements.define(W,ot);let i=window;i.customCards??=[],i.customCards.push({type:W,name:u("name"),description:u("description"),preview:!0,documentationURL:"https://github.com/ev-session-monitor/ev_session_monitor#dashboard-card"})}export{ot as EvSessionCard};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
